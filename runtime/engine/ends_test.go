package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// miniDeploy is the deploy flow in miniature: a transaction "update" between a
// check and the bookkeeping. -s stop_in=TASK makes TASK fail (how=fail)
// or interrupts the run there as a signal would (how=interrupt); undo and
// unlock are the commands of an undo and of the lock's on_exit.
const miniDeploy = localHosts + `
local function step(name)
  task(name, function()
    if fetch("stop_in", "") ~= name then return end
    if fetch("how") == "interrupt" then interrupt() end
    error(name .. " broke", 0)
  end)
end
for _, n in ipairs({ "check", "finalize", "symlink", "restart", "cleanup", "log", "finished" }) do step(n) end
task("lock", function() on_exit(fetch("unlock", "true"), { hint = "the lock is left: run unlock" }) end)
task("make", function() on_rollback(fetch("undo", "true"), { hint = "the release is left: remove it" }) end)
task("update", { transaction = true }, { "lock", "make", "finalize", "symlink" })
task("finishing", { "cleanup", "log" })
task("deploy", { "check", "update", "restart", "finishing", "finished" })
`

// runFlow runs deploy with the -s values given; interrupt() in the Lua
// code cancels the run's context, where a first signal would.
func runFlow(t *testing.T, sets map[string]string) (*testRun, error) {
	t.Helper()
	r := load(t, miniDeploy, overrides(sets))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.e.p.Lua().SetGlobal("interrupt", r.e.p.Lua().NewFunction(func(*lua.LState) int { cancel(); return 0 }))
	return r, r.e.Run(ctx, []string{"deploy"})
}

func TestTheFinalErrorSaysWhatHappened(t *testing.T) {
	tests := []struct {
		name string
		sets map[string]string
		kind string // the error's type: interrupted, task, cleanup
		want string
	}{
		{"interrupted inside the transaction", map[string]string{"stop_in": "finalize", "how": "interrupt"}, "interrupted",
			"interrupted during finalize: the transaction update was undone on every host"},
		{"failed inside the transaction", map[string]string{"stop_in": "finalize", "how": "fail"}, "task",
			"task finalize failed: finalize broke\nthe transaction update was undone on every host"},
		{"interrupted after the commit", map[string]string{"stop_in": "restart", "how": "interrupt"}, "interrupted",
			"interrupted during restart: update had completed and stays; not run: restart, finishing, finished"},
		{"interrupted inside a later step of steps", map[string]string{"stop_in": "cleanup", "how": "interrupt"}, "interrupted",
			"interrupted during cleanup: update had completed and stays; not run: finishing, finished"},
		{"failed after the commit", map[string]string{"stop_in": "finished", "how": "fail"}, "task",
			"task finished failed: finished broke\nupdate had completed and stays"}, // not "not run: finished": it says so
		{"interrupted before anything changed", map[string]string{"stop_in": "check", "how": "interrupt"}, "interrupted",
			"interrupted during check"}, // nothing stays: no list of what did not run
		{"an undo fails", map[string]string{"stop_in": "symlink", "how": "interrupt", "undo": "exit 3"}, "interrupted",
			"interrupted during symlink: the transaction update was not completely undone; undo incomplete: see the list above"},
		{"the cleanup fails after the commit", map[string]string{"stop_in": "restart", "how": "fail", "unlock": "exit 4"}, "task",
			"task restart failed: restart broke\nupdate had completed and stays; not run: restart, finishing, finished; undo incomplete: see the list above"},
		{"the cleanup fails after a success", map[string]string{"unlock": "exit 4"}, "cleanup",
			"every task completed, but undo incomplete: see the list above"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := runFlow(t, tt.sets)
			if got := r.errText(err); got != tt.want {
				t.Errorf("error =\n%s\nwant\n%s\noutput:\n%s", got, tt.want, r.out)
			}
			if got := errorKind(err); got != tt.kind {
				t.Errorf("error is a %s error, want %s", got, tt.kind)
			}
		})
	}
}

func errorKind(err error) string {
	var (
		intr *Interrupted
		task *TaskError
		cl   *CleanupError
	)
	switch {
	case errors.As(err, &intr):
		return "interrupted"
	case errors.As(err, &task):
		return "task"
	case errors.As(err, &cl):
		return "cleanup"
	}
	return "other"
}

func TestATransactionCallIsNamedByWhereItIs(t *testing.T) {
	r := load(t, `
server("h1", { transport = "local" })
task("x", function()
  transaction(function() on_rollback("true") end)
  transaction(function() on_rollback("true"); error("second broke", 0) end)
end)`)
	want := "task x failed: second broke\nthe transaction at DIR/Deployfile.lua:6 was undone on every host; " +
		"the transaction at DIR/Deployfile.lua:5 had completed and stays"
	if got := r.errText(r.run("x")); got != want {
		t.Errorf("error =\n%s\nwant\n%s", got, want)
	}
}

// What did not complete is listed once per registration, its hosts
// together, with its hint or else what to run by hand.
func TestUnfinishedListsWhatIsLeft(t *testing.T) {
	r := load(t, localHosts+`
task("x", { transaction = true }, function()
  on_rollback("true", { hint = "never listed: it works" })
  on_rollback("exit 5", { hint = "the release is left on this host" })
  on(roles("web"), function(h)
    on_rollback("exit 6")
    on_rollback(function() if h.name == "h2" then error("no") end end, { hint = "h2's link is left" })
  end)
  on_exit("exit 7", { hint = "the lock is left: run unlock" })
  error("broke", 0)
end)`)
	err := r.run("x")
	want := []string{
		"not undone on h2: h2's link is left",
		"not undone on h1, h2: run `exit 6` (the undo registered at DIR/Deployfile.lua:11)",
		"not undone on h1, h2, h3: the release is left on this host",
		"not undone on h1, h2, h3: the lock is left: run unlock",
	}
	got := strings.ReplaceAll(strings.Join(r.e.Unfinished(), "\n"), r.dir, "DIR")
	if got != strings.Join(want, "\n") {
		t.Errorf("unfinished:\n%s\nwant:\n%s\noutput:\n%s", got, strings.Join(want, "\n"), r.out)
	}
	if !strings.HasSuffix(r.errText(err), "was not completely undone; undo incomplete: see the list above") {
		t.Errorf("error = %s; want it to say the undo is incomplete", r.errText(err))
	}
}

// A second signal (AbortCtx) while undoing: the undo in flight stops,
// the rest of the undo and the cleanups do not run, and all are listed.
func TestASecondSignalLeavesTheRestListed(t *testing.T) {
	abortCtx, abort := context.WithCancel(context.Background())
	defer abort()
	r := load(t, `
server("h1", { transport = "local" })
server("h2", { transport = "local" })
task("x", { transaction = true }, function()
  on_exit("touch " .. fetch("dir") .. "/cleaned", { hint = "the lock is left" })
  on_rollback("touch " .. fetch("dir") .. "/first-undone", { hint = "the release is left" })
  on_rollback(function() abort(); table.insert(trace, "after the second signal") end, { hint = "the link is left" })
  interrupt()
end)`, func(o *Options) { o.AbortCtx = abortCtx })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.e.p.Lua().SetGlobal("interrupt", r.e.p.Lua().NewFunction(func(*lua.LState) int { cancel(); return 0 }))
	r.e.p.Lua().SetGlobal("abort", r.e.p.Lua().NewFunction(func(*lua.LState) int { abort(); return 0 }))
	err := r.e.Run(ctx, []string{"x"})
	want := "interrupted during x: the transaction x was not completely undone; undo incomplete: see the list above"
	if got := r.errText(err); got != want {
		t.Errorf("error =\n%s\nwant\n%s", got, want)
	}
	wantTrace(t, r) // the Lua undo stopped at the second signal
	for _, f := range []string{"cleaned", "first-undone"} {
		if _, err := os.Stat(filepath.Join(r.dir, f)); err == nil {
			t.Errorf("%s ran after the second signal", f)
		}
	}
	wantLines := "not undone on h1, h2: the link is left\nnot undone on h1, h2: the release is left\nnot undone on h1, h2: the lock is left"
	if got := strings.Join(r.e.Unfinished(), "\n"); got != wantLines {
		t.Errorf("unfinished:\n%s\nwant:\n%s", got, wantLines)
	}
}

func TestRegistrationOptions(t *testing.T) {
	tests := []struct {
		call string
		want string // the load error, or "" when it loads
	}{
		{`on_exit("true", { hint = "the lock is left" })`, ""},
		{`on_exit("true", {})`, ""},
		{`on_exit(function() end, { hint = "x" })`, ""},
		{`on_exit("true", { hnit = "x" })`, `DIR/Deployfile.lua:3: on_exit(): "hnit" is not an option; the options are hint`},
		{`on_exit("true", { hint = "x", user = "y" })`, `DIR/Deployfile.lua:3: on_exit(): "user" is not an option; the options are hint`},
		{`on_exit("true", { hint = 3 })`, `DIR/Deployfile.lua:3: on_exit(): hint must be a string that says what is left on the host, not a number`},
		{`on_exit("true", "the lock")`, `DIR/Deployfile.lua:3: bad argument #2 to on_exit (table expected, got string)`},
		{`transaction(function() on_rollback("true", { hints = "x" }) end)`,
			`DIR/Deployfile.lua:3: on_rollback(): "hints" is not an option; the options are hint`},
		{`transaction(function() on_rollback("true", { hint = false }) end)`,
			`DIR/Deployfile.lua:3: on_rollback(): hint must be a string that says what is left on the host, not a boolean`},
	}
	for _, tt := range tests {
		t.Run(tt.call, func(t *testing.T) {
			r := load(t, "server(\"h1\", { transport = \"local\" })\ntask(\"x\", function() "+tt.call+" end)\n")
			err := r.run("x")
			got := ""
			var te *TaskError
			if errors.As(err, &te) {
				got = strings.ReplaceAll(te.Err.Error(), r.dir, "DIR")
			} else if err != nil {
				t.Fatalf("error = %v, want a task error", err)
			}
			if got != tt.want {
				t.Errorf("error = %s\nwant %s", got, tt.want)
			}
		})
	}
}
