package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/luacap/luacap/runtime/engine"
)

// buildLuacap builds the binary, for tests that need a real process:
// real signals, real closed pipes.
func buildLuacap(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "luacap")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// lastLine is the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// Every stop signal stops the run alike: 130, the transaction undone,
// and the last line says so.
func TestEveryStopSignalUndoes(t *testing.T) {
	bin := buildLuacap(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := deployfile(t, slowTransaction)
			cmd := exec.Command(bin, "slow")
			cmd.Dir = dir
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			waitFor(t, filepath.Join(dir, "started"))
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()
			if code := cmd.ProcessState.ExitCode(); code != engine.ExitInterrupted {
				t.Errorf("exit %d, want %d\n%s%s", code, engine.ExitInterrupted, stdout.String(), stderr.String())
			}
			if _, err := os.Stat(filepath.Join(dir, "undone")); err != nil {
				t.Errorf("the undo did not run: %v", err)
			}
			want := "luacap: interrupted during slow: the transaction slow was undone on every host"
			if got := lastLine(stderr.String()); got != want {
				t.Errorf("last line %q, want %q", got, want)
			}
		})
	}
}

// closedPipe is the write end of a pipe whose reader is gone.
func closedPipe(t *testing.T) *os.File {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	t.Cleanup(func() { w.Close() })
	return w
}

// A closed stdout or stderr changes nothing but what is seen: the run
// completes, fails or undoes as it would, with the same exit code.
func TestClosedOutputsChangeNothing(t *testing.T) {
	bin := buildLuacap(t)
	const src = `
server("h1", { transport = "local" })
task("ok", function() run("seq 1 5000"); run("touch done") end)
task("fail", function() run("seq 1 5000"); run("touch done; exit 3") end)
`
	tests := []struct {
		name        string
		task        string
		closeStdout bool
		closeStderr bool
		interrupt   bool
		code        int
		file        string // made by the run
	}{
		{"stdout closed, ok", "ok", true, false, false, exitOK, "done"},
		{"stderr closed, ok", "ok", false, true, false, exitOK, "done"},
		{"both closed, ok", "ok", true, true, false, exitOK, "done"},
		{"stdout closed, a task fails", "fail", true, false, false, engine.ExitFailed, "done"},
		{"both closed, a task fails", "fail", true, true, false, engine.ExitFailed, "done"},
		{"stdout closed, interrupted", "slow", true, false, true, engine.ExitInterrupted, "undone"},
		{"both closed, interrupted", "slow", true, true, true, engine.ExitInterrupted, "undone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := deployfile(t, src+slowTransaction[strings.Index(slowTransaction, "task("):])
			cmd := exec.Command(bin, tt.task)
			cmd.Dir = dir
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if tt.closeStdout {
				cmd.Stdout = closedPipe(t)
			}
			if tt.closeStderr {
				cmd.Stderr = closedPipe(t)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if tt.interrupt {
				waitFor(t, filepath.Join(dir, "started"))
				cmd.Process.Signal(syscall.SIGINT)
			}
			cmd.Wait()
			if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				t.Fatalf("luacap died of %v", ws.Signal())
			}
			if code := cmd.ProcessState.ExitCode(); code != tt.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.code, stdout.String(), stderr.String())
			}
			if _, err := os.Stat(filepath.Join(dir, tt.file)); err != nil {
				t.Errorf("the run did not finish its work: %v", err)
			}
		})
	}
}
