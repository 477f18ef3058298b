package engine

import (
	"strings"
	"testing"
)

// A key in server()'s or role()'s options that is a near miss of an
// option fails loading at its line, with the option meant: a typo would
// otherwise become a property nothing reads (role = "web" gave the server
// no role at all).
func TestUnknownServerOptionsFail(t *testing.T) {
	const options = "; the options are user, port, roles, primary, no_release, transport, ssh_options, properties"
	tests := []struct{ name, src, want string }{
		{"role for roles", `server("h1", { role = "web" })`, `DIR/Deployfile.lua:2: server "h1": "role" is not an option (did you mean "roles"?)` + options},
		{"usr", `server("h1", { usr = "deploy" })`, `DIR/Deployfile.lua:2: server "h1": "usr" is not an option (did you mean "user"?)`},
		{"primay", `server("h1", { primay = true })`, `"primay" is not an option (did you mean "primary"?)`},
		{"no_relase", `server("h1", { no_release = true, no_relase = true })`, `"no_relase" is not an option (did you mean "no_release"?)`},
		{"ssh_option", `server("h1", { ssh_option = {} })`, `"ssh_option" is not an option (did you mean "ssh_options"?)`},
		{"a property that close to an option", `server("h1", { roles = { "web" }, users = 1 })`, `"users" is not an option (did you mean "user"?)` + options + `; a property of your own by that name goes in properties = { users = ... }`},
		{"the first of several, in order", `server("h1", { usr = 1, prot = 2 })`, `"prot" is not an option (did you mean "port"?)`},
		{"in role()", `role("web", { "h1" }, { role = "db" })`, `DIR/Deployfile.lua:2: role "web": "role" is not an option (did you mean "roles"?)`},
		{"properties not a table", `server("h1", { properties = "eu" })`, `properties must be a table`},
		{"an option inside properties", `server("h1", { properties = { user = "x" } })`, `properties: "user" is a server option or field`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := tryLoad(t, tt.src)
			if got := r.errText(err); !strings.Contains(got, tt.want) {
				t.Errorf("error:\n%s\nwant it to contain:\n%s", got, tt.want)
			}
		})
	}
}

// Every option accepted before stays accepted; properties = {...}, and
// any other key, as in Capistrano, become fields of the host table.
func TestServerOptionsAccepted(t *testing.T) {
	r := load(t, `
server("deploy@h1", { user = "app", port = 2222, roles = { "web" }, primary = true, no_release = true,
  transport = "local", ssh_options = { forward_agent = true }, properties = { region = "eu", weight = 3 } })
server("h2", { transport = "local", roles = { "web" }, region = "us" })
role("db", { "h2" }, { primary = true, properties = { tier = "gold" } })
task("x", function()
  on(roles("web"), function(h)
    table.insert(trace, string.format("%s %s %d %s %s %s", h.name, h.user, h.port, tostring(h.no_release), tostring(h.region), tostring(h.tier)))
  end)
end)`)
	r.mustRun(t, "x")
	wantTrace(t, r, "deploy@h1 app 2222 true eu nil", "h2  0 nil us gold")
	var tiers []string
	for _, h := range r.e.p.Hosts.All() {
		tiers = append(tiers, h.Name+"="+stringOf(h.Props["tier"]))
	}
	if got := strings.Join(tiers, " "); got != "deploy@h1= h2=gold" {
		t.Errorf("tier properties: %s", got)
	}
}

func stringOf(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}
