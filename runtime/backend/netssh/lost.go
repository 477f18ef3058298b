package netssh

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/pkg/sftp"
)

// loss records when and why one connection ended. The first cause wins:
// the keepalive that gave up, or a deliberate close, notes its reason
// before the reader that sees the closed socket does.
type loss struct {
	mu  sync.Mutex
	at  time.Time
	why string
}

func (l *loss) note(why string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.why == "" {
		l.at, l.why = time.Now(), why
	}
}

// get returns when and why, or a zero time when the connection is up.
func (l *loss) get() (time.Time, string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.at, l.why
}

// waitReason is why client.Wait returned, in words.
func waitReason(err error) string {
	if err == nil || errors.Is(err, io.EOF) {
		return "the server closed the connection"
	}
	return err.Error()
}

// UnreachableError is a host whose connection was lost and could not be
// dialled again. Every later command for it fails with this error at
// once: dialling again for each undo and cleanup would make a dead host
// cost a connect timeout per step.
type UnreachableError struct {
	Since  time.Time // when the connection was lost
	Why    string    // what ended it
	Redial error     // why the one dial after it failed
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("unreachable since %s (%s; dialling again failed: %v); not retried: "+
		"check the host, then run the task again (deploy:unlock first if it left its lock)",
		e.Since.Format("15:04:05"), e.Why, e.Redial)
}

// LostError is a command whose connection died under it: it may or may
// not have run on the host.
type LostError struct {
	Since time.Time
	Why   string
}

func (e *LostError) Error() string {
	const msg = "the connection was lost while the command ran"
	const outcome = "; it may or may not have run on the host"
	if e.Why == "" {
		return msg + outcome
	}
	return fmt.Sprintf("%s (at %s: %s)%s", msg, e.Since.Format("15:04:05"), e.Why, outcome)
}

// lossGrace is how long a command that saw its stream end waits for the
// connection's reader to say whether the connection ended too: they stop
// together, in either order.
const lossGrace = 500 * time.Millisecond

// ended reports when and why the current connection ended, waiting up to
// grace for it to end; ok is false when it is still up.
func (c *Conn) ended(grace time.Duration) (at time.Time, why string, ok bool) {
	c.mu.Lock()
	dead, l := c.dead, c.lost
	c.mu.Unlock()
	if l == nil {
		return time.Time{}, "", false
	}
	if !closedWithin(dead, grace) {
		return time.Time{}, "", false
	}
	at, why = l.get()
	return at, why, true
}

func closedWithin(ch <-chan struct{}, d time.Duration) bool {
	select {
	case <-ch:
		return true
	default:
	}
	if d <= 0 {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ch:
		return true
	case <-t.C:
		return false
	}
}

// lostError explains a command whose stream ended before its end marker
// or exit status: with when and why the connection ended, when it did.
func (c *Conn) lostError() error {
	at, why, _ := c.ended(lossGrace)
	return &LostError{Since: at, Why: why}
}

// transferError names a lost connection as the cause of a failed
// transfer, instead of sftp's bare EOF.
func (c *Conn) transferError(err error) error {
	if err == nil {
		return nil
	}
	grace := time.Duration(0)
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, sftp.ErrSSHFxConnectionLost) {
		grace = lossGrace
	}
	at, why, ok := c.ended(grace)
	if !ok {
		return err
	}
	return fmt.Errorf("%v: the connection was lost at %s (%s); the transfer may or may not have completed",
		err, at.Format("15:04:05"), why)
}
