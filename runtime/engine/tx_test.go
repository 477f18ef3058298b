package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Three steps on two hosts, each registering an undo; the third fails.
const threeSteps = `
server("h1", { transport = "local", roles = { "app" } })
server("h2", { transport = "local", roles = { "app" } })
local function step(n, fails)
  return function()
    on(roles("app"), function(host)
      execute(fails and "exit 1" or "true")
      table.insert(trace, "did " .. n .. " " .. host.name)
      on_rollback(function(h) table.insert(trace, "undo " .. n .. " " .. h.name) end)
    end)
  end
end
task("one", step(1))
task("two", step(2))
task("three", step(3, true))
task("all", { transaction = true }, { "one", "two", "three" })
`

func TestTransactionUndoesInReverse(t *testing.T) {
	r := load(t, threeSteps)
	err := r.run("all")
	var te *TaskError
	if !errors.As(err, &te) || te.Task != "three" {
		t.Fatalf("error = %v, want task three to fail", err)
	}
	got := r.trace()
	sortPairs(got) // hosts of one step run in parallel; order only across steps
	want := []string{"did 1 h1", "did 1 h2", "did 2 h1", "did 2 h2", "undo 2 h1", "undo 2 h2", "undo 1 h1", "undo 1 h2"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("trace:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// sortPairs orders adjacent entries that differ only in their host.
func sortPairs(s []string) {
	for i := 0; i+1 < len(s); i++ {
		a, b := s[i], s[i+1]
		if strings.TrimSuffix(a, " h2") == strings.TrimSuffix(b, " h1") && strings.HasSuffix(a, " h2") {
			s[i], s[i+1] = b, a
		}
	}
}

func TestUndoErrorsAreReportedAndTheRestStillRun(t *testing.T) {
	r := load(t, `
server("h1", { transport = "local" })
task("x", function()
  transaction(function()
    on_rollback(function() table.insert(trace, "undo first") end)
    on_rollback("exit 9")
    on_rollback(function() error("undo broke") end)
    error("step failed")
  end)
end)`)
	err := r.run("x")
	want := "task x failed: DIR/Deployfile.lua:9: step failed\n" +
		"the transaction at DIR/Deployfile.lua:5 was not completely undone; undo incomplete: see the list above"
	if got := r.errText(err); got != want {
		t.Errorf("error = %s; want the original error, and that the undo is incomplete", got)
	}
	wantTrace(t, r, "undo first")
	out := r.out.String()
	for _, want := range []string{
		"warning: rolling back 3 step(s)",
		"warning: undo registered at " + r.dir + "/Deployfile.lua:8 failed: " + r.dir + "/Deployfile.lua:8: undo broke",
		"warning: undo registered at " + r.dir + "/Deployfile.lua:7 failed: h1: command failed with exit status 9: exit 9",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestNestedTransactions(t *testing.T) {
	r := load(t, `
server("h1", { transport = "local" })
task("x", function()
  transaction(function()
    on_rollback(function() table.insert(trace, "undo outer") end)
    transaction(function() on_rollback(function() table.insert(trace, "undo inner (committed)") end) end)
    local ok = pcall(transaction, function()
      on_rollback(function() table.insert(trace, "undo inner (failed)") end)
      error("inner")
    end)
    table.insert(trace, "inner failed, caught: " .. tostring(not ok))
    error("outer")
  end)
end)`)
	if err := r.run("x"); err == nil {
		t.Fatal("no error")
	}
	wantTrace(t, r, "undo inner (failed)", "inner failed, caught: true", "undo inner (committed)", "undo outer")
}

func TestOnRollbackOutsideATransactionDoesNothing(t *testing.T) {
	r := load(t, `
server("h1", { transport = "local" })
task("x", function() on_rollback(function() table.insert(trace, "undo") end); error("fail") end)`)
	if err := r.run("x"); err == nil {
		t.Fatal("no error")
	}
	wantTrace(t, r)
}

func TestInterruptDuringATransactionUndoes(t *testing.T) {
	r := load(t, `
server("h1", { transport = "local", roles = { "app" } })
server("h2", { transport = "local", roles = { "app" } })
task("x", { transaction = true }, function()
  on(roles("app"), function(h)
    on_rollback("touch " .. fetch("dir") .. "/undone-" .. h.name)
    execute("touch " .. fetch("dir") .. "/started-" .. h.name .. " && sleep 30")
  end)
end)`)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		// Interrupt once both hosts are in their long command.
		for countFiles(t, r.dir, "started-*") < 2 {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
	}()
	start := time.Now()
	err := r.e.Run(ctx, []string{"x"})
	var intr *Interrupted
	if !errors.As(err, &intr) || intr.Task != "x" {
		t.Fatalf("error = %v, want Interrupted in x", err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("the interrupt did not stop the commands (took %v)", d)
	}
	for _, h := range []string{"h1", "h2"} {
		if _, err := os.Stat(filepath.Join(r.dir, "undone-"+h)); err != nil {
			t.Errorf("undo did not run on %s after the interrupt: %v", h, err)
		}
	}
}
