package engine

import "testing"

const propHosts = `
server("h1", { transport = "local", roles = { "web", "app" }, canary = false })
server("h2", { transport = "local", roles = { "web" }, canary = true, no_release = true })
server("h3", { transport = "local", roles = { "db", "web" }, primary = true, canary = "yes" })
local function names(hosts)
  local out = {}
  for _, h in ipairs(hosts) do out[#out + 1] = h.name end
  return table.concat(out, " ")
end
`

func TestRolesFilterByProperty(t *testing.T) {
	tests := []struct{ call, want string }{
		{`roles("web")`, "h1 h2 h3"},
		{`roles("web", { filter = "primary" })`, "h3"},
		{`roles("web", { filter = "canary" })`, "h2 h3"},
		{`roles("web", { select = "canary" })`, "h2 h3"},
		{`roles("web", { exclude = "canary" })`, "h1"},
		{`roles("all", { exclude = "no_release" })`, "h1 h3"},
		{`roles("web", "app", { filter = "missing" })`, ""},
		{`roles("web", { filter = function(h) return h.name ~= "h1" end })`, "h2 h3"},
		{`roles("web", { exclude = function(h) return h.primary end })`, "h1 h2"},
		{`roles("web", { filter = "canary", exclude = "primary" })`, "h2"},
		{`roles("web", { filter = function(h) return nil end })`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.call, func(t *testing.T) {
			r := load(t, propHosts+`table.insert(trace, names(`+tt.call+`))`)
			wantTrace(t, r, tt.want)
		})
	}
}

func TestRolesFilterMistakes(t *testing.T) {
	tests := []struct{ call, want string }{
		{`roles("web", { filtr = "primary" })`,
			`DIR/Deployfile.lua:11: roles(): "filtr" is not an option; the options are filter, select, exclude`},
		{`roles("web", { filter = 3 })`,
			`DIR/Deployfile.lua:11: roles(): filter must be a property name or a function(host), not a number`},
		{`roles("nobody", { filter = "primary" })`,
			`DIR/Deployfile.lua:11: roles(): no server plays role "nobody"; the roles are web, app, db`},
		{`roles("web", { exclude = function(h) error("no " .. h.name) end })`,
			`DIR/Deployfile.lua:11: no h1`},
	}
	for _, tt := range tests {
		t.Run(tt.call, func(t *testing.T) {
			r, err := tryLoad(t, propHosts+tt.call)
			if got := r.errText(err); got != tt.want {
				t.Errorf("error:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// A filtered list is a host list like any: on() runs on just those hosts.
func TestOnRunsOnFilteredRoles(t *testing.T) {
	r := load(t, propHosts+`
task("x", function()
  on(roles("web", { filter = "canary" }), function(h) table.insert(trace, h.name) end)
end)`)
	r.mustRun(t, "x")
	wantTrace(t, r, "h2", "h3")
}
