package engine

import (
	"strings"
	"testing"

	"github.com/luacap/luacap/runtime/host"
)

func TestHostsAndRoles(t *testing.T) {
	r := load(t, localHosts+`
server("deploy@h4:2222", { transport = "local", roles = "cron", properties = { region = "eu", weight = 3 } })
role("web", { "h4" })
task("x", function()
  local names = {}
  for _, h in ipairs(roles("web")) do names[#names + 1] = h.name end
  table.insert(trace, "web=" .. table.concat(names, ","))
  table.insert(trace, "db primary=" .. primary("db").name)
  table.insert(trace, "web primary=" .. primary("web").name)
  table.insert(trace, "cache primary=" .. tostring(primary("cache")))
  local h4 = roles("cron")[1]
  table.insert(trace, string.format("%s %s %d %s %s %d", h4.user, h4.hostname, h4.port, table.concat(h4.roles, "+"), h4.region, h4.weight))
end)`)
	r.mustRun(t, "x")
	wantTrace(t, r,
		"web=h1,h2,deploy@h4:2222",
		"db primary=h3", "web primary=h1", "cache primary=nil",
		"deploy h4 2222 cron+web eu 3")
}

func TestTaskHostSelection(t *testing.T) {
	r := load(t, localHosts+`
server("h4", { transport = "local", roles = { "web" }, no_release = true })
-- Each task runs "true # <task>" on every host it targets; the
-- transcript shows one line per host.
local function mark(task)
  return function() run("true # " .. task) end
end
task("everywhere", mark("everywhere"))
task("web", { roles = "web" }, mark("web"))
task("once", { roles = { "db", "web" }, once = true }, mark("once"))
task("releasing", { roles = "web", except = { no_release = true } }, mark("releasing"))
task("primary_db", { roles = "db", only = { primary = true } }, mark("primary_db"))
`)
	r.mustRun(t, "everywhere", "web", "once", "releasing", "primary_db")
	tests := []struct {
		task string
		want int
	}{
		{"everywhere", 4}, {"web", 3}, {"once", 1}, {"releasing", 2}, {"primary_db", 1},
	}
	for _, tt := range tests {
		if n := strings.Count(r.out.String(), " $ true # "+tt.task+"\n"); n != tt.want {
			t.Errorf("task %s ran on %d hosts, want %d", tt.task, n, tt.want)
		}
	}
}

func TestCommandLineFilterNarrowsEverything(t *testing.T) {
	r := load(t, localHosts+`
task("x", function()
  on(roles("web", "db"), function(h) table.insert(trace, h.name) end)
end)`, func(o *Options) { o.Filter = host.Filter{Roles: []string{"web"}, Hosts: []string{"h2", "h3"}} })
	r.mustRun(t, "x")
	wantTrace(t, r, "h2")
}

// server() accepts the engine's transports, in the order of its list:
// runtime/project checks the names the engine gives it.
func TestServerTransportsAreTheEngines(t *testing.T) {
	r, err := tryLoad(t, `server("h1", { transport = "telnet" })`)
	want := `DIR/Deployfile.lua:2: server "h1": transport must be "ssh" or "local", not "telnet"`
	if got := r.errText(err); got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}
