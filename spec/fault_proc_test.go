package spec

import (
	"bytes"

	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// flowRun is one luacap run of the matrix, in the background. Its stdout
// (and stderr, unless split) goes through a pipe the test can close.
type flowRun struct {
	cmd     *exec.Cmd
	reader  *os.File
	mu      sync.Mutex
	out     bytes.Buffer // what was read from the pipe
	stderr  bytes.Buffer // only when stderr is split from stdout
	copied  chan struct{}
	exited  chan struct{}
	started time.Time
}

// startFlow runs luacap with args in d's directory. split gives stderr a
// buffer of its own, so that closing the pipe leaves it readable.
func startFlow(t *testing.T, d *deployEnv, split bool, args ...string) *flowRun {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	f := &flowRun{reader: r, copied: make(chan struct{}), exited: make(chan struct{})}
	f.cmd = exec.Command(luacap, args...)
	f.cmd.Dir = d.dir
	f.cmd.Env = []string{"HOME=" + d.c.Home(), "PATH=" + os.Getenv("PATH"), "USER=deployer", "LUACAP_FORMAT=verbose"}
	f.cmd.Stdout, f.cmd.Stderr = w, w
	if split {
		f.cmd.Stderr = &f.stderr
	}
	f.started = time.Now()
	if err := f.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	go f.copy()
	go func() { f.cmd.Wait(); close(f.exited) }()
	t.Cleanup(func() { // a test that stopped early leaves no luacap behind
		f.cmd.Process.Kill()
		<-f.exited
	})
	return f
}

func (f *flowRun) copy() {
	defer close(f.copied)
	buf := make([]byte, 4096)
	for {
		n, err := f.reader.Read(buf)
		f.mu.Lock()
		f.out.Write(buf[:n])
		f.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// closeStdout is the reader of luacap's stdout going away.
func (f *flowRun) closeStdout() { f.reader.Close() }

func (f *flowRun) signal(sig syscall.Signal) { f.cmd.Process.Signal(sig) }

// waitFile waits for path, or for the run to end first: it reports
// whether path appeared.
func (f *flowRun) waitFile(path string) bool {
	return f.waitFor(func() bool {
		_, err := os.Stat(path)
		return err == nil
	})
}

// waitOutput waits for text in what the run printed, or for the run to
// end first: it reports whether text appeared.
func (f *flowRun) waitOutput(text string) bool {
	return f.waitFor(func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return strings.Contains(f.out.String(), text)
	})
}

// waitFor polls seen for a minute, or until the run ends.
func (f *flowRun) waitFor(seen func() bool) bool {
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); {
		if seen() {
			return true
		}
		select {
		case <-f.exited:
			return seen()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return false
}

// runResult is how a run ended.
type runResult struct {
	code   int // -1: killed by a signal
	output string
	last   string // the last line of output
	hung   bool   // it did not end within two minutes and was killed
}

// wait waits for the run to end, killing it after two minutes.
func (f *flowRun) wait() runResult {
	var res runResult
	select {
	case <-f.exited:
	case <-time.After(2 * time.Minute):
		res.hung = true
		f.cmd.Process.Kill()
		<-f.exited
	}
	select { // a child that kept the pipe open must not block the matrix
	case <-f.copied:
	case <-time.After(5 * time.Second):
		f.reader.Close()
		<-f.copied
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	res.code = f.cmd.ProcessState.ExitCode()
	res.output = f.out.String() + f.stderr.String()
	res.last = lastOutputLine(res.output)
	return res
}

func lastOutputLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// run is a whole run in the foreground.
func runFlow(t *testing.T, d *deployEnv, args ...string) runResult {
	t.Helper()
	return startFlow(t, d, false, args...).wait()
}

// nextSecond sleeps into the second after from, so that a run started
// then gets a release name of its own.
func nextSecond(from time.Time) {
	time.Sleep(time.Until(from.Truncate(time.Second).Add(time.Second + 20*time.Millisecond)))
}

func touchFile(path string) error { return os.WriteFile(path, nil, 0o644) }
