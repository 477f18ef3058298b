package engine

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A small flow in Capistrano 2's shape, with hooks written both ways.
const flow = `
local function step(name) return function() table.insert(trace, name) end end
namespace("deploy", function()
  desc("Updates the code and switches current")
  task("update", { transaction = true }, { "deploy:update_code", "deploy:symlink" })
  task("update_code", step("update_code"))
  task("finalize_update", step("finalize_update"))
  task("symlink", step("symlink"))
  task("restart", step("restart"))
  task("migrate", step("migrate"))
  desc("Deploys with migrations")
  task("migrations", { "deploy:update_code", "deploy:migrate", "deploy:symlink", "deploy:restart" })
end)
desc("Deploys the app")
task("deploy", { "deploy:update", "deploy:restart" })
alias("deploy:symlink", "deploy:create_symlink")
after("deploy:update_code", "deploy:finalize_update")
`

func TestHookOrder(t *testing.T) {
	r := load(t, flow+`
before("deploy", step("before deploy"))
after("deploy", step("after deploy"))
before("deploy:update_code", step("before update_code"), step("before update_code 2"))
after("deploy:create_symlink", step("after symlink (via alias)"))
before("deploy:restart", step("before restart"))
`)
	r.mustRun(t, "deploy")
	wantTrace(t, r,
		"before deploy",
		"before update_code", "before update_code 2", "update_code", "finalize_update",
		"symlink", "after symlink (via alias)",
		"before restart", "restart",
		"after deploy")
}

func TestHooksOnStepsFireForBothFlows(t *testing.T) {
	r := load(t, flow+`
after("deploy:symlink", step("hooked symlink"))
before("deploy", step("hooked deploy"))
`)
	r.mustRun(t, "deploy:migrations")
	wantTrace(t, r, "update_code", "finalize_update", "migrate", "symlink", "hooked symlink", "restart")
}

func TestOverrideKeepsHooksAndClearDropsThem(t *testing.T) {
	r := load(t, flow+`
before("deploy:restart", step("before restart"))
-- the Passenger override a user writes
task("deploy:restart", function() table.insert(trace, "touch tmp/restart.txt") end)
clear("deploy:finalize_update")
task("deploy:finalize_update", step("my finalize"))
`)
	r.mustRun(t, "deploy")
	// clear() drops the task's own hooks; the hook that runs it after
	// update_code belongs to update_code and stays, as in Rake.
	wantTrace(t, r, "update_code", "my finalize", "symlink", "before restart", "touch tmp/restart.txt")
	if tk, _ := r.e.p.Tasks.Lookup("deploy"); tk.Desc != "Deploys the app" {
		t.Errorf("desc = %q", tk.Desc)
	}
}

func TestInvokeRunsOncePerRunAndPassesArguments(t *testing.T) {
	r := load(t, `
task("greet", function(who) table.insert(trace, "hello " .. tostring(who)) end)
task("twice", function() invoke("greet", "ops"); invoke("greet", "again") end)
`)
	r.mustRun(t, "twice", "greet")
	wantTrace(t, r, "hello ops")
}

func TestStages(t *testing.T) {
	r := load(t, `
set("branch", "main")
stage("production", function()
  set("branch", "release")
  server("h1", { transport = "local" })
end)
task("show", function() table.insert(trace, fetch("stage") .. " " .. fetch("branch") .. " " .. #roles("all")) end)
`)
	if err := os.MkdirAll(filepath.Join(r.dir, "deploy"), 0o755); err != nil {
		t.Fatal(err)
	}
	stageFile := `set("branch", "staging-" .. fetch("branch")); server("h2", { transport = "local" }); server("h3", { transport = "local" })`
	if err := os.WriteFile(filepath.Join(r.dir, "deploy", "staging.lua"), []byte(stageFile), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.e.Stages(), ","); got != "production,staging" {
		t.Errorf("stages = %s", got)
	}
	if err := r.e.UseStage("staging"); err != nil {
		t.Fatal(err)
	}
	r.mustRun(t, "show")
	wantTrace(t, r, "staging staging-main 2")
}

func TestTaskErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"unknown option", `task("x", { role = "web" }, function() end)`,
			`DIR/Deployfile.lua:2: task x: "role" is not an option; the options are roles, hosts, only, except, once, transaction, on_error, on_failure, pipelined`},
		{"bad body", `task("x", 42)`,
			`DIR/Deployfile.lua:2: task "x": the body must be a function or a list of task names, not a number`},
		{"bad on_error", `task("x", { on_error = "ignore" }, function() end)`,
			`DIR/Deployfile.lua:2: task x: on_error must be "fail" or "continue", not "ignore"`},
		{"bad hook", `before("x", 42)`,
			`DIR/Deployfile.lua:2: a hook on "x" must be a task name or a function, not a number`},
		{"clear unknown", `task("deploy", function() end) clear("deplyo")`,
			`DIR/Deployfile.lua:2: task "deplyo" does not exist. Did you mean "deploy"?`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := tryLoad(t, tt.src)
			if got := r.errText(err); got != tt.want {
				t.Errorf("error:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestRunChecksNamesBeforeRunning(t *testing.T) {
	r := load(t, flow+`after("deploy:symlnk", step("x"))`)
	err := r.run("deploy")
	var le *LoadError
	want := `DIR/Deployfile.lua:19: hook names unknown task "deploy:symlnk" (did you mean "deploy:symlink"?)`
	if !errors.As(err, &le) || r.errText(err) != want {
		t.Errorf("error = %s, want a LoadError:\n%s", r.errText(err), want)
	}
	if len(r.trace()) != 0 {
		t.Errorf("tasks ran before the check: %v", r.trace())
	}
	r = load(t, flow)
	err = r.run("deploy:restat")
	var ue *UsageError
	if !errors.As(err, &ue) || err.Error() != `task "deploy:restat" does not exist. Did you mean "deploy:restart"?` {
		t.Errorf("error = %v", err)
	}
}

func TestExplainAndTaskList(t *testing.T) {
	r := load(t, flow+`before("deploy", function() end)`)
	tree, err := r.e.Explain("deploy")
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"deploy",
		"  [before] function at DIR/Deployfile.lua:19",
		"  deploy:update  [transaction]",
		"    deploy:update_code",
		"      [after] deploy:finalize_update",
		"    deploy:symlink",
		"  deploy:restart",
		"",
	}, "\n")
	if got := strings.ReplaceAll(tree, r.dir, "DIR"); got != want {
		t.Errorf("explain:\n%s\nwant:\n%s", got, want)
	}
	list := r.e.TaskList(false)
	wantList := "luacap deploy             # Deploys the app\n" +
		"luacap deploy:migrations  # Deploys with migrations\n" +
		"luacap deploy:update      # Updates the code and switches current\n"
	if list != wantList {
		t.Errorf("-T:\n%s\nwant:\n%s", list, wantList)
	}
	if all := r.e.TaskList(true); strings.Count(all, "\n") != 8 || !strings.Contains(all, "luacap deploy:restart\n") {
		t.Errorf("-T -A lists %d tasks, want 8:\n%s", strings.Count(all, "\n"), all)
	}
}
