package engine

import (
	"strings"
	"testing"
)

// Top-level tasks of the same names as the deploy namespace's, so that a
// name resolved at the top level shows in the trace.
const twoLevels = `
local function step(name) return function() table.insert(trace, name) end end
task("restart", step("top restart"))
task("notify", step("top notify"))
task("cleanup", step("top cleanup"))
task("only_top", step("only_top"))
namespace("deploy", function()
  task("restart", step("restart"))
  task("notify", step("notify"))
  task("cleanup", step("cleanup"))
  namespace("assets", function()
    task("precompile", step("precompile"))
    task("notify", step("assets notify"))
  end)
end)
`

func TestNamesInANamespaceResolveThereFirst(t *testing.T) {
	tests := []struct{ name, src, run, want string }{
		{"after with a function", `namespace("deploy", function() after("restart", step("after")) end)`,
			"deploy:restart", "restart,after"},
		{"before with a task", `namespace("deploy", function() before("restart", "notify") end)`,
			"deploy:restart", "notify,restart"},
		{"not the top-level task", `namespace("deploy", function() after("restart", step("after")) end)`,
			"restart", "top restart"},
		{"invoke in a task body", `namespace("deploy", function() task("finish", function() invoke("cleanup") end) end)`,
			"deploy:finish", "cleanup"},
		{"invoke in a hook function", `namespace("deploy", function() after("restart", function() invoke("notify") end) end)`,
			"deploy:restart", "restart,notify"},
		{"steps", `namespace("deploy", function() task("go", { "restart", "assets:precompile", "only_top" }) end)`,
			"deploy:go", "restart,precompile,only_top"},
		{"nested", `namespace("deploy", function() namespace("assets", function() after("precompile", "notify", "restart") end) end)`,
			"deploy:assets:precompile", "precompile,assets notify,restart"},
		{"outward to the top level", `namespace("deploy", function() after("restart", "only_top") end)`,
			"deploy:restart", "restart,only_top"},
		{"full names as before", `namespace("deploy", function() after("deploy:restart", "deploy:notify") end)`,
			"deploy:restart", "restart,notify"},
		{"top level unchanged", `after("restart", "notify")`,
			"restart", "top restart,top notify"},
		{"a task defined later", `namespace("web", function() after("reload", step("after")) task("reload", step("reload")) end)`,
			"web:reload", "reload,after"},
		{"clear", `namespace("deploy", function() before("restart", step("x")) clear("restart") end)`,
			"deploy:restart", ""},
		{"on_failure", `namespace("deploy", function() task("boom", { on_failure = "notify" }, function() error("boom") end) end)`,
			"deploy:boom", "notify"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := load(t, twoLevels+tt.src)
			_ = r.run(tt.run) // on_failure's task fails; the trace is the test
			if got := strings.Join(r.trace(), ","); got != tt.want {
				t.Errorf("%s ran %s, want %s", tt.run, got, tt.want)
			}
		})
	}
}

func TestUnknownNameInANamespace(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"hook target", `namespace("deploy", function() after("restat", step("x")) end)`,
			`DIR/Deployfile.lua:17: hook names unknown task "restat" (looked for deploy:restat, restat; did you mean "deploy:restart"?)`},
		{"hook task", `namespace("deploy", function() after("restart", "notfy") end)`,
			`DIR/Deployfile.lua:17: hook on deploy:restart names unknown task "notfy" (looked for deploy:notfy, notfy; did you mean "deploy:notify"?)`},
		{"step", `namespace("deploy", function() task("go", { "cleanp" }) end)`,
			`DIR/Deployfile.lua:17: task deploy:go step names unknown task "cleanp" (looked for deploy:cleanp, cleanp; did you mean "deploy:cleanup"?)`},
		{"nothing close", `namespace("deploy", function() after("revert_release", step("x")) end)`,
			`DIR/Deployfile.lua:17: hook names unknown task "revert_release" (looked for deploy:revert_release, revert_release)`},
		{"invoke", `namespace("deploy", function() task("go", function() invoke("notfy") end) end)`,
			`task deploy:go failed: DIR/Deployfile.lua:17: task "notfy" does not exist (looked for deploy:notfy, notfy). Did you mean "deploy:notify"?`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := load(t, twoLevels+tt.src)
			if got := r.errText(r.run("deploy:restart", "deploy:go")); got != tt.want {
				t.Errorf("error:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}
