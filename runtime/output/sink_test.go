package output

import (
	"errors"
	"io"
	"strings"
	"syscall"
	"testing"
	"time"
)

// failingWriter accepts limit bytes, then fails every write with err; a
// short write (n < len(p), no error) is a failure too.
type failingWriter struct {
	got    strings.Builder
	limit  int
	err    error
	writes int // writes after the first failure
	failed bool
}

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.failed {
		w.writes++
	}
	if room := w.limit - w.got.Len(); room < len(p) {
		w.failed = true
		w.got.Write(p[:max(room, 0)])
		return max(room, 0), w.err
	}
	return w.got.Write(p)
}

// A reader that went away (EPIPE), a closed terminal (EIO), a closed
// pipe, a short write: the output stops writing there, for good, and
// every method still returns.
func TestABrokenWriterIsDroppedNotFatal(t *testing.T) {
	for _, err := range []error{syscall.EPIPE, syscall.EIO, io.ErrClosedPipe, nil} {
		name := "short write"
		if err != nil {
			name = err.Error()
		}
		t.Run(name, func(t *testing.T) {
			w := &failingWriter{limit: 20, err: err}
			o := New(w, Options{Level: Verbose, Now: fixedClock})
			o.Hosts("web1")
			o.TaskStart("deploy:check") // 15 bytes
			o.CommandStart("web1", "test -d /srv")
			o.Writer("web1", false).Write([]byte("one\n"))
			o.CommandEnd("web1", time.Second, 0)
			o.Warn("careful")
			o.Summary()
			if !w.failed {
				t.Fatal("the writer never failed: the test proves nothing")
			}
			if w.writes > 0 {
				t.Errorf("%d writes after the writer failed", w.writes)
			}
			if got := w.got.String(); got != "* deploy:check\n  web" {
				t.Errorf("written: %q", got)
			}
		})
	}
}

func TestSinkNeverReturnsAnError(t *testing.T) {
	s := &sink{w: &failingWriter{limit: 0, err: errors.New("gone")}}
	for i := 0; i < 2; i++ {
		if n, err := s.Write([]byte("x")); n != 1 || err != nil {
			t.Errorf("write %d = %d, %v; want 1, nil", i, n, err)
		}
	}
}
