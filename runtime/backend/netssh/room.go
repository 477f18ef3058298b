package netssh

import (
	"context"
	"errors"
	"time"

	"golang.org/x/crypto/ssh"
)

// giveWayWait bounds the wait for the server to close the channels that
// give way: a ready program that was given nothing ends at once.
const giveWayWait = 2 * time.Second

// roomWait bounds the waits for a session of the run's own to end, on a
// host that refuses one more.
const roomWait = 3 * time.Second

// refusedOpen says the server refused to open a channel: sshd answers so
// once a connection holds MaxSessions sessions (default 10; some hosts
// allow 2 or 3).
func refusedOpen(err error) bool {
	var oe *ssh.OpenChannelError
	return errors.As(err, &oe) && (oe.Reason == ssh.Prohibited || oe.Reason == ssh.ConnectionFailed || oe.Reason == ssh.ResourceShortage)
}

// withRoom runs open again while the server refuses the channel: first
// once the channels opened ahead and still idle (the spare, the one
// PrepareChannel opened) gave way, since what needs a session now comes
// before what might need one later; then, unless the caller holds c.mu
// (locked), after waits that double from 50 ms, up to roomWait in all,
// for a command running in a session of its own (an upload) to end,
// while one runs. The shell and sftp hold theirs for the run.
func withRoom[T any](ctx context.Context, c *Conn, locked bool, open func() (T, error)) (T, error) {
	v, err := open()
	waited, pause := time.Duration(0), 50*time.Millisecond
	// A command that ended lately counts: sshd frees its session once our
	// close has reached it, half a round trip after the command returned.
	// Once one ran, the wait goes on after it ended.
	wait := !locked && (c.running.Load() > 0 || time.Since(time.Unix(0, c.lastEnd.Load())) < roomWait)
	for err != nil && refusedOpen(err) {
		if idle := c.takeIdle(ctx, locked); len(idle) > 0 {
			giveWay(ctx, idle)
		} else if !wait || waited >= roomWait || sleep(ctx, pause) != nil {
			return v, err
		} else {
			waited, pause = waited+pause, pause*2
		}
		v, err = open()
	}
	return v, err
}

// sleep waits d, or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// takeIdle takes the channels opened ahead that nothing has taken,
// once the one PrepareChannel may be opening has opened (the server
// counts it already); where there are none, the shell, when no command
// of its runs or is queued: under MaxSessions 2, the shell and a command
// with stdin left no room for the session that stops that command, which
// ran on after an interrupt. The next command starts a shell again.
// locked says the caller holds c.mu.
func (c *Conn) takeIdle(ctx context.Context, locked bool) []*spare {
	if locked {
		return c.takeIdleLocked()
	}
	if c.awaitOpening(ctx) != nil {
		return nil
	}
	c.mu.Lock()
	idle := c.takeIdleLocked()
	c.mu.Unlock()
	if len(idle) > 0 || !c.shellMu.TryLock() { // the shell runs a command, or one is queued
		return idle
	}
	defer c.shellMu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	if sh := c.sh; sh != nil && len(sh.queue) == 0 && sh.gone != nil {
		c.sh = nil
		idle = append(idle, &spare{client: sh.client, ch: sh.ch, reqs: sh.gone})
	}
	return idle
}

// takeIdleLocked takes the channels opened ahead that nothing has taken.
// The caller holds c.mu.
func (c *Conn) takeIdleLocked() []*spare {
	var idle []*spare
	for _, slot := range []**spare{&c.piped, &c.spare} {
		if *slot != nil {
			idle = append(idle, *slot)
			*slot = nil
		}
	}
	return idle
}

// giveWay closes sps and waits, at most giveWayWait in all, until the
// server has closed each: sshd counts a session until its program has
// ended.
func giveWay(ctx context.Context, sps []*spare) {
	deadline := time.NewTimer(giveWayWait)
	defer deadline.Stop()
	for _, sp := range sps {
		sp.ch.Close()
	drain:
		for {
			select {
			case _, open := <-sp.reqs:
				if !open {
					break drain
				}
			case <-deadline.C:
				return
			case <-ctx.Done():
				return
			}
		}
	}
}

// sessionOpener opens a session, for the command that stops another.
type sessionOpener func() (*ssh.Session, error)

// sessionOn opens sessions on client, making room as withRoom does: a
// stop must get its session on a host that allows few. The stop that
// asks has been cancelled already, and bounds its own wait (killWait).
func (c *Conn) sessionOn(client *ssh.Client) sessionOpener {
	return func() (*ssh.Session, error) {
		return withRoom(context.Background(), c, false, client.NewSession)
	}
}

// runs counts a command running in a session of its own until the
// returned func is called.
func (c *Conn) runs() (done func()) {
	c.running.Add(1)
	return func() {
		c.lastEnd.Store(time.Now().UnixNano())
		c.running.Add(-1)
	}
}
