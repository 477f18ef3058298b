package harness

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Build compiles luacap into dir and returns the binary's path.
func Build(dir string) (string, error) {
	bin := filepath.Join(dir, "luacap")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/luacap/luacap/cmd/luacap")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", &buildError{err: err, out: string(out)}
	}
	return bin, nil
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return "go build: " + e.err.Error() + "\n" + e.out }

// Result is how a luacap run ended.
type Result struct {
	Code           int
	Stdout, Stderr string
	MaxRSSKiB      int64         // the process's peak resident memory
	CPU            time.Duration // the process's user and system time
}

// Output is stdout and stderr together, for failure messages.
func (r Result) Output() string { return r.Stdout + r.Stderr }

// gnuTime measures a program's own peak RSS. The rusage of a child that
// Go starts directly is no good for it: Go starts children sharing its
// memory (CLONE_VM), so their high-water mark starts at the test's own.
const gnuTime = "/usr/bin/time"

// Run runs luacap in dir with a clean environment: HOME is home, and
// extra adds variables such as SSH_AUTH_SOCK.
func Run(t testing.TB, bin, dir, home string, extra []string, args ...string) Result {
	t.Helper()
	rssFile := filepath.Join(t.TempDir(), "rss")
	cmd := exec.Command(bin, args...)
	if _, err := os.Stat(gnuTime); err == nil {
		cmd = exec.Command(gnuTime, append([]string{"-q", "-f", "%M", "-o", rssFile, bin}, args...)...)
	}
	cmd.Dir = dir
	// The verbose rendering: scenarios read commands' output; extra may
	// ask for another format.
	cmd.Env = append([]string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "USER=root", "LUACAP_FORMAT=verbose"}, extra...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil && cmd.ProcessState == nil {
		t.Fatalf("running luacap: %v", err)
	}
	res := Result{Code: cmd.ProcessState.ExitCode(), Stdout: stdout.String(), Stderr: stderr.String()}
	if b, err := os.ReadFile(rssFile); err == nil {
		res.MaxRSSKiB, _ = strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	} else if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		res.MaxRSSKiB = ru.Maxrss // an upper bound: see gnuTime
	}
	res.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return res
}

// WriteDeployfile writes src as Deployfile.lua in a new directory.
func WriteDeployfile(t testing.TB, src string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Deployfile.lua"), []byte(strings.TrimLeft(src, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}
