package engine

import (
	"errors"
	"strings"
	"testing"
)

func TestVariables(t *testing.T) {
	r := load(t, `
calls = 0
set("application", "shop")
set("branch", "main")
set("revision", function() calls = calls + 1; return "rev-" .. fetch("branch") end)
set("linked_dirs", { "log" })
append("linked_dirs", "tmp/pids", "public/system")
remove("linked_dirs", "log")
desc("Reads variables")
task("show", function()
  table.insert(trace, fetch("revision"))
  table.insert(trace, fetch("revision"))
  table.insert(trace, "calls=" .. calls)
  table.insert(trace, table.concat(fetch("linked_dirs"), ","))
  table.insert(trace, tostring(fetch("missing", "fallback")))
  table.insert(trace, fetch("deploy_to"))
  table.insert(trace, release_path())
  table.insert(trace, tostring(fetch("keep_releases")))
end)`, overrides(map[string]string{"branch": "hotfix", "keep_releases": "2"}))
	r.mustRun(t, "show")
	wantTrace(t, r,
		"rev-hotfix", "rev-hotfix", "calls=1",
		"tmp/pids,public/system", "fallback",
		"/var/www/shop", "/var/www/shop/releases/20260102030405", "2")
}

func TestVariableErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"missing", `task("x", function() fetch("repo_url") end)`,
			`task x failed: DIR/Deployfile.lua:2: variable "repo_url" is not set; set it with set("repo_url", ...) or pass -s repo_url=VALUE`},
		{"cycle", `set("a", function() return fetch("a") end)
task("x", function() fetch("a") end)`,
			`task x failed: DIR/Deployfile.lua:3: variable "a" refers to itself through its own lazy value`},
		{"append to a string", `set("s", "x")
task("x", function() append("s", "y") end)`,
			`task x failed: DIR/Deployfile.lua:3: append("s"): the variable is a string, not a list`},
		{"ask without a terminal", `ask("password", "Database password:", { echo = false })
task("x", function() fetch("password") end)`,
			`task x failed: DIR/Deployfile.lua:3: variable "password" asks for input ("Database password:") but there is no terminal; set the environment variable LUACAP_ASK_PASSWORD to the answer`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := load(t, tt.src)
			if got := r.errText(r.run("x")); got != tt.want {
				t.Errorf("error:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestAskPromptsOnceOnFirstFetch(t *testing.T) {
	var asked []string
	r := load(t, `
ask("password", "Password:", { echo = false })
ask("branch", "Branch:", { default = "main" })
task("x", function()
  table.insert(trace, fetch("password"))
  table.insert(trace, fetch("password"))
  table.insert(trace, fetch("branch"))
end)`, prompt(func(p string, echo bool) (string, error) {
		asked = append(asked, p)
		if p == "Password:" && echo {
			return "", errors.New("password asked with echo on")
		}
		if p == "Branch: [main]" { // the default is shown; Enter takes it
			return "", nil
		}
		return "s3cret", nil
	}))
	r.mustRun(t, "x")
	wantTrace(t, r, "s3cret", "s3cret", "main")
	if strings.Join(asked, "|") != "Password:|Branch: [main]" {
		t.Errorf("prompted %q, want each variable once, with its default shown (not a secret's)", asked)
	}
}
