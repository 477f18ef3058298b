package netssh

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/luacap/luacap/runtime/backend"
)

// The channel PrepareChannel opens is the one the next Pipe takes, even
// once a command with stdin has taken the spare channel (a deploy's
// upload does, while its assets are built): the rsync that follows finds
// a channel started and ready, and opens none. A Pipe that comes while
// that channel is still opening waits for it rather than open another.
func TestPipeTakesTheChannelPreparedForIt(t *testing.T) {
	tests := []struct {
		name      string
		openDelay time.Duration
		settle    bool // the prepared channel is open before the Pipe
	}{
		{"prepared and open", 0, true},
		{"still opening when the pipe comes", 300 * time.Millisecond, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, s := startServer(t)
			c := dial(t, s)
			readySpare(t, c)
			ctx := context.Background()
			if _, err := c.Run(ctx, "cat >/dev/null", backend.RunOptions{Stdin: strings.NewReader("the archive")}); err != nil {
				t.Fatalf("the upload: %v", err)
			}
			before := srv.sessions.Load()
			srv.openDelay.Store(int64(tt.openDelay))
			c.PrepareChannel(ctx)
			if tt.settle {
				waitSlot(t, c, &c.piped)
			}
			var out bytes.Buffer
			code, err := c.Pipe(ctx, "cat", strings.NewReader("rsync's protocol"), &out, io.Discard)
			if err != nil || code != 0 || out.String() != "rsync's protocol" {
				t.Fatalf("Pipe: code %d, err %v, out %q", code, err, out.String())
			}
			if opened := srv.sessions.Load() - before; opened != 1 {
				t.Errorf("%d channels opened for one prepared pipe; want 1", opened)
			}
			c.mu.Lock()
			left := c.piped
			c.mu.Unlock()
			if left != nil {
				t.Error("the prepared channel is still there: the Pipe did not take it")
			}
		})
	}
}
