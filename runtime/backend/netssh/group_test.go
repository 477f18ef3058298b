package netssh

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/luacap/luacap/runtime/backend"
)

// The pid line is taken off the output however the writes split it, and
// nothing of the output after it is lost; the lines ahead of it, which
// the user's rc files printed, are dropped, numbers or not; a pid that
// names no command's group (0, 1, not a number) is never one to kill.
func TestPidTakerTakesThePidLine(t *testing.T) {
	m := pidMark
	tests := []struct {
		name   string
		writes []string
		pid    int64
		out    string
	}{
		{"one write", []string{m + "1234\nout\n"}, 1234, "out\n"},
		{"the line alone", []string{m + "1234\n", "out"}, 1234, "out"},
		{"split pid", []string{m + "12", "34", "\nout", "more"}, 1234, "outmore"},
		{"split mark", []string{m[:3], m[3:8], m[8:] + "7\nout"}, 7, "out"},
		{"no output", []string{m + "77\n"}, 77, ""},
		{"never a whole line", []string{m + "12"}, 0, ""},
		{"pid 1", []string{m + "1\nout"}, 0, "out"},
		{"not a number", []string{m + "hello\nout"}, 0, "out"},
		{"a second pid line is output", []string{m + "5\n" + m + "6\n"}, 5, m + "6\n"},
		{"rc lines ahead", []string{"welcome\n4242\n\n", m + "9\nout"}, 9, "out"},
		{"an rc line split", []string{"4", "242\n" + m[:4], m[4:] + "9\nout"}, 9, "out"},
		{"a long rc line", []string{strings.Repeat("x", 100<<10), "\n" + m + "9\nout"}, 9, "out"},
		{"an rc line like the mark", []string{m[:5] + "x\n" + m + "9\nout"}, 9, "out"},
		{"no pid line", []string{"4242\nout\n"}, 0, ""},
		{"an rc line without its new line", []string{"hello" + m + "9\nout"}, 9, "out"},
		{"the mark split after rc bytes", []string{"hel", "lo" + m[:3], m[3:] + "9\nout"}, 9, "out"},
		{"a long rc line without its new line", []string{strings.Repeat("y", 100<<10), m[:4], m[4:] + "9\nout"}, 9, "out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGroup()
			var out strings.Builder
			p := &pidTaker{g: g, w: &out}
			for _, w := range tt.writes {
				if n, err := p.Write([]byte(w)); n != len(w) || err != nil {
					t.Fatalf("Write(%q) = %d, %v", w, n, err)
				}
			}
			if g.pid.Load() != tt.pid || out.String() != tt.out {
				t.Errorf("pid %d, output %q; want %d, %q", g.pid.Load(), out.String(), tt.pid, tt.out)
			}
		})
	}
}

// A cancelled command ends promptly, whichever way it runs: one that
// ignores SIGTERM is killed, and on a host that no longer answers the
// stop gives up, instead of waiting for the channel to close (until the
// command ends, or the keepalive gives the host up), which no second
// Ctrl-C could shorten.
func TestCancelEndsPromptly(t *testing.T) {
	ways := []struct {
		name string
		run  func(ctx context.Context, c *Conn, cmd string) error
	}{
		{"in the shell", func(ctx context.Context, c *Conn, cmd string) error {
			_, err := c.Run(ctx, cmd, backend.RunOptions{})
			return err
		}},
		{"on the ready spare", func(ctx context.Context, c *Conn, cmd string) error {
			_, err := c.Run(ctx, cmd, backend.RunOptions{Stdin: strings.NewReader("input")})
			return err
		}},
		{"in a session of its own", func(ctx context.Context, c *Conn, cmd string) error {
			c.Run(ctx, "true", backend.RunOptions{Stdin: strings.NewReader("")}) // takes the spare
			_, err := c.Run(ctx, cmd, backend.RunOptions{Stdin: strings.NewReader("input")})
			return err
		}},
		{"piped", func(ctx context.Context, c *Conn, cmd string) error {
			_, err := c.Pipe(ctx, cmd, strings.NewReader("input"), io.Discard, io.Discard)
			return err
		}},
	}
	t.Setenv("SSH_AUTH_SOCK", "") // for newServer
	for _, w := range ways {
		for _, fault := range []string{"ignores SIGTERM", "silent host"} {
			t.Run(w.name+", "+fault, func(t *testing.T) {
				t.Parallel()
				srv, s := newServer(t)
				s.KeepAlive = 10 * time.Second // the keepalive must not be what ends it
				c := dial(t, s)
				readySpare(t, c)
				pidFile := filepath.Join(t.TempDir(), "pid")
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan error, 1)
				go func() {
					done <- w.run(ctx, c, "sh -c 'echo $$ > "+pidFile+`; trap "" TERM HUP PIPE; exec sleep 61 <&-'`)
				}()
				pid := waitPid(t, pidFile)
				defer syscall.Kill(pid, syscall.SIGKILL)
				if fault == "silent host" {
					srv.set(silent)
				}
				start := time.Now()
				cancel()
				select {
				case <-done:
				case <-time.After(hangGuard):
					t.Fatal("the cancelled command's call never returned")
				}
				if took := time.Since(start); took > 3*killWait {
					t.Errorf("the cancel took %v", took)
				}
				if fault == "ignores SIGTERM" {
					waitGone(t, pid)
				}
			})
		}
	}
}
