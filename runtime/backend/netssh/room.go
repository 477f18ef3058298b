package netssh

import (
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
// for a session of the run's own (an upload) to end.
func withRoom[T any](c *Conn, locked bool, open func() (T, error)) (T, error) {
	v, err := open()
	waited, pause := time.Duration(0), 50*time.Millisecond
	for err != nil && refusedOpen(err) {
		if idle := c.takeIdle(locked); len(idle) > 0 {
			giveWay(idle)
		} else if locked || waited >= roomWait {
			return v, err
		} else {
			time.Sleep(pause)
			waited, pause = waited+pause, pause*2
		}
		v, err = open()
	}
	return v, err
}

// takeIdle takes the channels opened ahead that nothing has taken,
// once the one PrepareChannel may be opening has opened (the server
// counts it already). locked says the caller holds c.mu.
func (c *Conn) takeIdle(locked bool) []*spare {
	if locked {
		return c.takeIdleLocked()
	}
	c.mu.Lock()
	opening := c.opening
	c.mu.Unlock()
	if opening != nil {
		<-opening
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.takeIdleLocked()
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
func giveWay(sps []*spare) {
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
			}
		}
	}
}

// sessionOpener opens a session, for the command that stops another.
type sessionOpener func() (*ssh.Session, error)

// sessionOn opens sessions on client, making room as withRoom does: a
// stop must get its session on a host that allows few.
func (c *Conn) sessionOn(client *ssh.Client) sessionOpener {
	return func() (*ssh.Session, error) { return withRoom(c, false, client.NewSession) }
}
