package engine

import (
	"strings"
	"testing"
)

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
