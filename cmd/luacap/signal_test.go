package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/luacap/luacap/runtime/engine"
)

// slowTransaction registers an undo, then runs a long command to interrupt.
const slowTransaction = `
server("h1", { transport = "local" })
task("slow", { transaction = true }, function()
  on_rollback("touch undone")
  run("touch started && sleep 30")
end)
`

func waitFor(t *testing.T, path string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(path); err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("%s never appeared", path)
}

// TestRealSIGINT builds the binary and interrupts it as a terminal would,
// checking the exit code and that the transaction was undone.
func TestRealSIGINT(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "luacap")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := deployfile(t, slowTransaction)
	cmd := exec.Command(bin, "slow")
	cmd.Dir = dir
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, filepath.Join(dir, "started"))
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != engine.ExitInterrupted {
		t.Errorf("exit %d (%v), want %d\n%s", code, err, engine.ExitInterrupted, out.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "undone")); err != nil {
		t.Errorf("the undo did not run: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "luacap: interrupted during slow") {
		t.Errorf("output does not say it was interrupted:\n%s", out.String())
	}
}
