package project

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
			p := newTestProject(t)
			dir, err := loadTree(t, p, map[string]string{"Deployfile.lua": "trace = {}\n" + tt.src})
			if got := errText(err, dir); !strings.Contains(got, tt.want) {
				t.Errorf("error:\n%s\nwant it to contain:\n%s", got, tt.want)
			}
		})
	}
}

func TestServerErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{`server("h1", { port = "ssh" })`, `DIR/Deployfile.lua:2: server "h1": port must be a number from 1 to 65535, not ssh`},
		{`server("h1", { transport = "telnet" })`, `DIR/Deployfile.lua:2: server "h1": transport must be "ssh" or "local", not "telnet"`},
		{`server("h1:0")`, `DIR/Deployfile.lua:2: server "h1:0": port "0" is not a number from 1 to 65535`},
		{`role("web", { 1 })`, `DIR/Deployfile.lua:2: role web hosts must be a list of strings, not a list holding a number`},
	}
	for _, tt := range tests {
		p := newTestProject(t)
		dir, err := loadTree(t, p, map[string]string{"Deployfile.lua": "trace = {}\n" + tt.src})
		if got := errText(err, dir); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.src, got, tt.want)
		}
	}
}
