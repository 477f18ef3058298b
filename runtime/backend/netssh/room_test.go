package netssh

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/luacap/luacap/runtime/backend"
)

// On a host that allows two sessions per connection (sshd's MaxSessions),
// the shell and the spare channel opened ahead fill it. What needs a
// session now (here a command with a terminal, which never takes the
// spare) gets one: the idle channel gives way, or, when none is idle,
// luacap waits for a session of its own to end.
func TestARefusedSessionFindsRoom(t *testing.T) {
	tests := []struct {
		name string
		// busy runs on the spare channel while the pipe opens: nil leaves
		// the spare idle.
		busy *string
	}{
		{name: "an idle channel opened ahead gives way"},
		{name: "a session of the run's own ends first", busy: ptr("sleep 0.3")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, s := startServer(t)
			c := dial(t, s) // the shell: one session
			readySpare(t, c)
			srv.maxSessions.Store(2)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			busy := make(chan error, 1)
			if tt.busy != nil {
				go func() {
					_, err := c.Run(ctx, *tt.busy, backend.RunOptions{Stdin: strings.NewReader("")})
					busy <- err
				}()
				for waitSlotGone(c) { // the command took the spare
					time.Sleep(5 * time.Millisecond)
				}
			}
			res, err := c.Run(ctx, "echo terminal", backend.RunOptions{PTY: true})
			if err != nil || res.Exit != 0 || strings.TrimSpace(res.Stdout) != "terminal" {
				t.Fatalf("a command with a terminal: exit %d, err %v, stdout %q", res.Exit, err, res.Stdout)
			}
			if tt.busy != nil {
				if err := <-busy; err != nil {
					t.Errorf("the command that held the session: %v", err)
				}
			}
		})
	}
}

// waitSlotGone says the spare channel is still there.
func waitSlotGone(c *Conn) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.spare != nil
}

func ptr(s string) *string { return &s }
