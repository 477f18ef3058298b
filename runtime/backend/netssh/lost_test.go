package netssh

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/luacap/luacap/runtime/backend"
)

// hangGuard bounds a wait that must end, so a hang fails the test instead
// of stalling the suite; it asserts nothing about speed.
const hangGuard = 20 * time.Second

func dial(t *testing.T, s Settings) *Conn {
	t.Helper()
	c, err := (&Dialer{}).Dial(context.Background(), s)
	must(t, err)
	t.Cleanup(func() { c.Close() })
	if _, err := c.Run(context.Background(), "true", backend.RunOptions{}); err != nil {
		t.Fatalf("the first command failed: %v", err)
	}
	return c
}

// waitLost waits until c's connection has ended.
func waitLost(t *testing.T, c *Conn) {
	t.Helper()
	c.mu.Lock()
	dead := c.dead
	c.mu.Unlock()
	select {
	case <-dead:
	case <-time.After(hangGuard):
		t.Fatal("the connection was never found lost")
	}
}

// every way a later step reaches a host: a command through the shell, one
// with stdin in a session of its own, a queued one, and both transfers.
var steps = []struct {
	name string
	do   func(c *Conn) error
}{
	{"run", func(c *Conn) error { _, err := c.Run(context.Background(), "true", backend.RunOptions{}); return err }},
	{"run with stdin", func(c *Conn) error {
		_, err := c.Run(context.Background(), "cat", backend.RunOptions{Stdin: strings.NewReader("x")})
		return err
	}},
	{"send", func(c *Conn) error {
		queued, err := c.Send(context.Background(), "true", false)
		if err == nil && queued {
			_, err = c.Receive(context.Background(), nil, nil)
		}
		if err == nil && !queued {
			_, err = c.Run(context.Background(), "true", backend.RunOptions{}) // what Session does then
		}
		return err
	}},
	{"upload", func(c *Conn) error {
		return c.Upload(context.Background(), strings.NewReader("x"), "/tmp/luacap-lost-test", 0o644)
	}},
	{"download", func(c *Conn) error {
		_, err := c.Download(context.Background(), "/etc/hostname", &bytes.Buffer{})
		return err
	}},
}

func TestLostHostIsDialledOnceThenFailsAtOnce(t *testing.T) {
	faults := []struct {
		name  string
		fault fault
		why   string // the cause the error names
		redo  string // why the one dial after it failed
	}{
		{"sshd gone", refusing, "the server closed the connection", "ssh handshake with"},
		{"route dropped", silent, "no keepalive reply for 1s", "timed out after 500ms"},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			srv, s := startServer(t)
			c := dial(t, s)
			srv.set(f.fault)
			if f.fault == refusing {
				srv.dropAll()
			}
			waitLost(t, c)
			before := srv.accepts.Load()
			for _, step := range append(steps, steps...) { // each twice: the second finds the host down too
				err := step.do(c)
				var down *UnreachableError
				if !errors.As(err, &down) {
					t.Fatalf("%s after the loss: err = %v, want the host unreachable", step.name, err)
				}
				msg := err.Error()
				for _, want := range []string{"unreachable since " + down.Since.Format("15:04:05"), f.why, f.redo, "not retried"} {
					if !strings.Contains(msg, want) {
						t.Errorf("%s: error %q lacks %q", step.name, msg, want)
					}
				}
			}
			if got := srv.accepts.Load() - before; got != 1 {
				t.Errorf("%d connection attempts after the loss, want exactly 1", got)
			}
		})
	}
}

func TestEachBlipIsDialledAgain(t *testing.T) {
	srv, s := startServer(t)
	c := dial(t, s)
	for i := 1; i <= 3; i++ {
		srv.dropAll()
		waitLost(t, c)
		for _, step := range steps {
			if err := step.do(c); err != nil {
				t.Fatalf("blip %d: %s failed on a host that came back: %v", i, step.name, err)
			}
		}
	}
	if got := srv.accepts.Load(); got != 4 {
		t.Errorf("%d connections, want 4: the first and one after each of 3 blips", got)
	}
}

func TestInterruptedRedialDoesNotMarkTheHostDown(t *testing.T) {
	srv, s := startServer(t)
	c := dial(t, s)
	srv.dropAll()
	waitLost(t, c)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Run(ctx, "true", backend.RunOptions{})
	var down *UnreachableError
	if err == nil || errors.As(err, &down) {
		t.Fatalf("a cancelled redial: err = %v, want the cancel and the host not marked down", err)
	}
	if _, err := c.Run(context.Background(), "true", backend.RunOptions{}); err != nil {
		t.Errorf("the host was given up after an interrupted dial: %v", err)
	}
}

func TestSilentHostEndsTheCommandInFlight(t *testing.T) {
	tests := []struct {
		name string
		opts backend.RunOptions
	}{
		{"in the shell", backend.RunOptions{}},
		{"in a session of its own", backend.RunOptions{Stdin: strings.NewReader("")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, s := startServer(t)
			c := dial(t, s)
			started := filepath.Join(t.TempDir(), "started")
			done := make(chan error, 1)
			go func() {
				_, err := c.Run(context.Background(), "touch "+started+"; sleep 60", tt.opts)
				done <- err
			}()
			waitForFile(t, started)
			srv.set(silent)
			select {
			case err := <-done:
				var lost *LostError
				if !errors.As(err, &lost) || !strings.Contains(err.Error(), "no keepalive reply for 1s") ||
					!strings.Contains(err.Error(), "may or may not have run") {
					t.Errorf("err = %v, want the connection lost to the keepalive", err)
				}
			case <-time.After(hangGuard):
				t.Fatal("the command in flight hung on a silent host")
			}
		})
	}
}

func waitForFile(t *testing.T, path string) {
	t.Helper()
	for end := time.Now().Add(hangGuard); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return
		}
	}
	t.Fatalf("%s never appeared", path)
}
