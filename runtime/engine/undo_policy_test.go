package engine

import (
	"strings"
	"testing"
)

// An undo that fails is reported the same way whatever the task's
// on_error says: a warning naming it, and the report of what was not
// undone naming the host. Every kind of registration is swept.
func TestAFailingUndoIsReportedUnderEveryHostPolicy(t *testing.T) {
	kinds := []struct{ name, register string }{
		{"command on a host", `on(roles("app"), function(h) on_rollback(h.name == "h2" and "exit 7" or "true") end)`},
		{"command at task level", `on_rollback("test $(hostname) = nohost")`},
		{"function on a host", `on(roles("app"), function(h) on_rollback(function() if h.name == "h2" then execute("exit 7") end end) end)`},
		{"function at task level", `on_rollback(function() error("undo broke") end)`},
	}
	for _, onError := range []string{"", `on_error = "continue", `} {
		for _, k := range kinds {
			t.Run(onError+k.name, func(t *testing.T) {
				r := load(t, `
server("h1", { transport = "local", roles = { "app" } })
server("h2", { transport = "local", roles = { "app" } })
task("x", { `+onError+`transaction = true }, function()
  `+k.register+`
  error("step failed")
end)
task("y", { `+onError+`}, function()
  transaction(function()
    `+k.register+`
    error("step failed")
  end)
end)`)
				for task, line := range map[string]string{"x": "6", "y": "11"} {
					r.out.Reset()
					if err := r.run(task); err == nil {
						t.Fatalf("task %s passed; want the step's failure", task)
					}
					if out := r.out.String(); !strings.Contains(out, "warning: undo registered at "+r.dir+"/Deployfile.lua:"+line+" failed") {
						t.Errorf("task %s: no warning names the failed undo:\n%s", task, out)
					}
				}
				if left := r.e.Unfinished(); len(left) < 2 {
					t.Errorf("the report of what was not undone names %d undos, want 2: %q", len(left), left)
				}
			})
		}
	}
}

// A host's undo runs to its end when another host's undo fails: the
// stop-at-the-next-command rule of a normal step does not apply to undo.
func TestOneHostsFailedUndoDoesNotStopAnothers(t *testing.T) {
	r := load(t, `
server("h1", { transport = "local", roles = { "app" } })
server("h2", { transport = "local", roles = { "app" } })
local flag = fetch("dir") .. "/h2-failed"
task("x", { transaction = true }, function()
  on_rollback(function()
    on(roles("app"), function(h)
      if h.name == "h2" then execute("touch " .. flag .. "; exit 7") end
      -- h1 asks for its next command once h2's failure is surely read.
      execute("while [ ! -e " .. flag .. " ]; do sleep 0.01; done; sleep 0.3")
      execute("true")
      table.insert(trace, "undone " .. h.name)
    end)
  end)
  error("step failed")
end)`)
	if err := r.run("x"); err == nil {
		t.Fatal("the run passed; want the step's failure")
	}
	wantTrace(t, r, "undone h1")
}
