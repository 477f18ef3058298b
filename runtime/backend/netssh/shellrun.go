package netssh

import (
	"context"
	"io"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/luacap/luacap/runtime/backend"
)

// runInShell runs cmd through the connection's shell. ok is false when
// there is no shell to be had, and the caller uses a session instead.
func (c *Conn) runInShell(ctx context.Context, cmd string, opts backend.RunOptions) (backend.Result, bool, error) {
	c.shellMu.Lock()
	defer c.shellMu.Unlock()
	sh, err := c.shell(ctx)
	if err != nil {
		return backend.Result{}, false, nil
	}
	if err := sh.send(cmd, false); err != nil {
		c.dropShell(sh)
		return backend.Result{}, false, nil
	}
	res, err := c.receiveFrom(ctx, sh, opts.Stdout, opts.Stderr)
	return res, true, err
}

// Send queues cmd in the connection's shell: it is written, not waited
// for. Nothing is queued, and queued is false, when no shell can be had.
func (c *Conn) Send(ctx context.Context, cmd string, always bool) (queued bool, err error) {
	c.shellMu.Lock()
	defer c.shellMu.Unlock()
	sh := c.current()
	if sh == nil || len(sh.queue) == 0 {
		if sh, err = c.shell(ctx); err != nil {
			return false, nil
		}
	}
	waiting := sh.start != nil
	if err := sh.send(cmd, always); err != nil {
		c.dropShell(sh)
		if len(sh.queue) == 0 {
			return false, nil // nothing was lost: the caller can run it another way
		}
		return false, c.lostError()
	}
	if waiting && len(sh.queue) == 1 {
		time.AfterFunc(firstWait, func() { c.beginShell(sh) })
	}
	return true, nil
}

// firstWait is how long the first commands sent wait for more to go with
// them in the exec request, when nothing reads an end sooner (a pipelined
// task followed by long local work): they do not wait on the run's pace.
// A deploy's check and lock are sent a few milliseconds apart, and the
// lock's end is read at once.
const firstWait = 20 * time.Millisecond

// beginShell starts sh, if it is still the connection's and not started.
func (c *Conn) beginShell(sh *shell) {
	c.shellMu.Lock()
	defer c.shellMu.Unlock()
	if c.current() == sh {
		sh.begin() // an error shows at the next end read
	}
}

// Receive reads the end of the oldest command Send queued.
func (c *Conn) Receive(ctx context.Context, stdout, stderr io.Writer) (backend.Result, error) {
	c.shellMu.Lock()
	defer c.shellMu.Unlock()
	sh := c.current()
	if sh == nil || len(sh.queue) == 0 {
		return backend.Result{}, c.lostError()
	}
	if c.s.CommandTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.s.CommandTimeout)
		defer cancel()
	}
	return c.receiveFrom(ctx, sh, stdout, stderr)
}

// outcome is how receive ended.
type outcome struct {
	exit    int
	skipped bool
	err     error
}

// receiveFrom reads the end of sh's oldest command; on cancel it stops the
// shell, and the commands queued behind it with it.
func (c *Conn) receiveFrom(ctx context.Context, sh *shell, stdout, stderr io.Writer) (backend.Result, error) {
	kept := backend.NewKept()
	start := time.Now()
	done := make(chan outcome, 1)
	go func() {
		exit, skipped, err := sh.receive(backend.Tee(kept.Stdout, stdout), backend.Tee(kept.Stderr, stderr))
		done <- outcome{exit, skipped, err}
	}()
	var o outcome
	select {
	case o = <-done:
	case <-ctx.Done():
		_, ended := sh.stop(done)
		c.dropShell(sh)
		res := backend.Result{Duration: time.Since(start)}
		if ended { // else its output may still be coming
			res = kept.Result(res)
		}
		return c.exitStatus(ctx, res, ctx.Err())
	}
	res := kept.Result(backend.Result{Duration: time.Since(start), Exit: o.exit, Skipped: o.skipped})
	if o.err != nil {
		c.dropShell(sh)
		return res, c.lostError()
	}
	return res, nil
}

// current is the shell, if one is running.
func (c *Conn) current() *shell {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sh
}

// shell returns the connection's shell, starting it (and dialling again
// if the connection died) when there is none.
func (c *Conn) shell(ctx context.Context) (*shell, error) {
	client, err := c.live(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sh != nil && c.sh.client == client {
		return c.sh, nil
	}
	sh, err := withRoom(ctx, c, true, func() (*shell, error) {
		return startShell(client, func(ch ssh.Channel) error {
			if c.s.ForwardAgent {
				return c.forwardAgentLocked(client, ch)
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	sh.newSession = c.sessionOn(client)
	c.sh = sh
	return sh, nil
}

func (c *Conn) dropShell(sh *shell) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sh == sh {
		c.sh = nil
	}
	sh.ch.Close()
}
