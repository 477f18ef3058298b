package netssh

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/luacap/luacap/runtime/backend"
)

// started is a command's stdout that says when the command printed
// anything: it is running.
type started struct {
	once sync.Once
	ch   chan struct{}
}

func newStarted() *started { return &started{ch: make(chan struct{})} }

func (s *started) Write(p []byte) (int, error) {
	s.once.Do(func() { close(s.ch) })
	return len(p), nil
}

// A command cancelled while it runs in the connection's shell returns the
// context's error without waiting for the command, and the next command
// gets a new shell: nothing of the cancelled ones reaches it.
func TestCancelStopsTheShellCommand(t *testing.T) {
	const long = "echo running; sleep 60; echo stale"
	tests := []struct {
		name string
		wait func(ctx context.Context, c *Conn, out *started) error
	}{
		{"run", func(ctx context.Context, c *Conn, out *started) error {
			_, err := c.Run(ctx, long, backend.RunOptions{Stdout: out})
			return err
		}},
		{"receive with commands queued behind", func(ctx context.Context, c *Conn, out *started) error {
			for _, cmd := range []string{long, "echo stale", "echo stale >&2"} {
				if queued, err := c.Send(ctx, cmd, false); !queued || err != nil {
					return errors.Join(errors.New("not queued"), err)
				}
			}
			_, err := c.Receive(ctx, out, nil)
			return err
		}},
	}
	_, s := startServer(t)
	c := dial(t, s)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := c.current()
			ctx, cancel := context.WithCancel(context.Background())
			out, done := newStarted(), make(chan error, 1)
			go func() { done <- tt.wait(ctx, c, out) }()
			select {
			case <-out.ch:
			case <-time.After(hangGuard):
				t.Fatal("the command never started")
			}
			cancel()
			select {
			case err := <-done:
				if !errors.Is(err, context.Canceled) {
					t.Errorf("err = %v, want context.Canceled", err)
				}
			case <-time.After(hangGuard):
				t.Fatal("the cancelled call waited for the command")
			}
			if c.current() == before {
				t.Error("the cancelled shell is still the connection's shell")
			}
			res, err := c.Run(context.Background(), "echo next", backend.RunOptions{})
			if err != nil || res.Exit != 0 || res.Stdout != "next\n" || res.Stderr != "" {
				t.Errorf("the next command = %+v, %v; want its own output only", res, err)
			}
		})
	}
}

// The first commands sent on a connection wait for more to go with them
// in the exec request that starts the shell, but only a moment: though
// nothing reads their end (a pipelined task followed by long local work),
// they start on the host.
func TestFirstCommandsStartThoughNoEndIsRead(t *testing.T) {
	_, s := startServer(t)
	c, err := (&Dialer{}).Dial(context.Background(), s)
	must(t, err)
	t.Cleanup(func() { c.Close() })
	ran := filepath.Join(t.TempDir(), "ran")
	if queued, err := c.Send(context.Background(), "touch "+ran, false); !queued || err != nil {
		t.Fatalf("Send = %v, %v", queued, err)
	}
	for deadline := time.Now().Add(hangGuard); ; time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat(ran); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first command never ran: it waited for an end to be read")
		}
	}
	if res, err := c.Receive(context.Background(), nil, nil); err != nil || res.Exit != 0 {
		t.Errorf("Receive = %+v, %v", res, err)
	}
}

// A command cancelled in the connection's shell is stopped on the host:
// the kill runs under sh (dash on Debian, whose kill takes no "--"
// after a signal given as -TERM), and reaches the command's process.
func TestCancelKillsTheShellCommandOnTheHost(t *testing.T) {
	_, s := startServer(t)
	cancelKills(t, dial(t, s), "exec sleep 61", backend.RunOptions{})
}

// cancelKills runs script on c (its pid written first), cancels it once
// it runs, and fails unless the cancel ended it on the host.
func cancelKills(t *testing.T, c *Conn, script string, opts backend.RunOptions) {
	t.Helper()
	pidFile := filepath.Join(t.TempDir(), "pid")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.Run(ctx, "sh -c 'echo $$ > "+pidFile+"; "+script+"'", opts)
		done <- err
	}()
	pid := waitPid(t, pidFile)
	defer syscall.Kill(pid, syscall.SIGKILL)
	cancel()
	<-done
	waitGone(t, pid)
}

// waitGone waits until the cancelled command pid has ended.
func waitGone(t *testing.T, pid int) {
	t.Helper()
	for deadline := time.Now().Add(hangGuard); running(pid); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the cancelled command (pid %d) still runs on the host", pid)
		}
	}
}

// waitPid waits for a command to write its pid into file.
func waitPid(t *testing.T, file string) int {
	t.Helper()
	for deadline := time.Now().Add(hangGuard); ; time.Sleep(5 * time.Millisecond) {
		b, _ := os.ReadFile(file)
		if pid, _ := strconv.Atoi(strings.TrimSpace(string(b))); pid != 0 {
			return pid
		}
		if time.Now().After(deadline) {
			t.Fatal("the command never started")
		}
	}
}

// running reports whether process pid exists and is not a zombie.
func running(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	return len(f) > 0 && f[0] != "Z"
}
