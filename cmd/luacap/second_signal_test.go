package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/luacap/luacap/runtime/engine"
)

// The second signal arrives while the slow undo runs: it stops, the undo
// before it and the cleanup never run, and all three are listed above a
// final error that says the undo is incomplete.
func TestASecondSignalCutsTheUndoAndSaysWhatIsLeft(t *testing.T) {
	dir := deployfile(t, `
server("h1", { transport = "local" })
server("h2", { transport = "local" })
task("slow", { transaction = true }, function()
  on_exit("touch cleaned", { hint = "the lock is left: run luacap deploy:unlock" })
  on_rollback("touch first-undone", { hint = "the release is left" })
  on_rollback("touch undoing && sleep 30", { hint = "current still points at the new release" })
  run("touch started && sleep 30")
end)
`)
	t.Chdir(dir)
	sigs := make(chan os.Signal, 1)
	go func() {
		waitFor(t, filepath.Join(dir, "started"))
		sigs <- os.Interrupt
		waitFor(t, filepath.Join(dir, "undoing"))
		sigs <- os.Interrupt
	}()
	code, _, errOut := runCLI(t, hooks{signals: sigs}, "slow")
	if code != engine.ExitInterrupted {
		t.Errorf("exit %d, want %d", code, engine.ExitInterrupted)
	}
	for _, f := range []string{"first-undone", "cleaned"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("%s ran after the second signal", f)
		}
	}
	want := strings.Join([]string{
		"not undone on h1, h2: current still points at the new release",
		"not undone on h1, h2: the release is left",
		"not undone on h1, h2: the lock is left: run luacap deploy:unlock",
		"luacap: interrupted during slow: the transaction slow was not completely undone; undo incomplete: see the list above",
		"",
	}, "\n")
	if errOut != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", errOut, want)
	}
}

// An endless loop in the Deployfile stops at the first signal: 130.
func TestASignalStopsTheDeployfileLoading(t *testing.T) {
	dir := deployfile(t, `io.open("spinning", "w"):close()
while true do end
`)
	t.Chdir(dir)
	sigs := make(chan os.Signal, 1)
	go func() {
		waitFor(t, filepath.Join(dir, "spinning"))
		sigs <- os.Interrupt
	}()
	code, _, errOut := runCLI(t, hooks{signals: sigs}, "deploy")
	if code != engine.ExitInterrupted {
		t.Errorf("exit %d, want %d; stderr: %s", code, engine.ExitInterrupted, errOut)
	}
	if want := "luacap: interrupted while loading Deployfile.lua\n"; errOut != want {
		t.Errorf("stderr %q, want %q", errOut, want)
	}
}
