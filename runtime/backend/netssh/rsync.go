package netssh

import (
	"context"
	"fmt"
	"io"
	"sync"

	"golang.org/x/crypto/ssh"

	"github.com/luacap/luacap/runtime/backend"
)

// Pipe runs cmd in an exec channel of its own on the host's connection
// and connects its streams as they come, keeping nothing: the far end of
// a tool that speaks its own protocol over them, such as rsync's server.
// It needs no new handshake, and takes the spare channel when one is
// open, so the command starts in the same flight as its first input.
// command_timeout and agent forwarding hold as for Run. It returns the
// command's exit status.
func (c *Conn) Pipe(ctx context.Context, cmd string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	if c.s.CommandTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.s.CommandTimeout)
		defer cancel()
	}
	sp, err := c.pipeChannel(ctx, cmd)
	if err != nil {
		return 0, err
	}
	defer c.runs()()
	defer sp.ch.Close()
	stdin, isReady, err := c.startOnSpare(sp, cmd, stdin)
	if err != nil {
		return 0, err
	}
	g := newGroup()
	stdout = g.output(stdout, isReady) // the pid line is not rsync's
	go func() {
		io.Copy(sp.ch, stdin)
		sp.ch.CloseWrite()
	}()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); io.Copy(stdout, sp.ch) }()
	go func() { defer wg.Done(); io.Copy(stderr, sp.ch.Stderr()) }()
	status := make(chan exitOutcome, 1)
	go func() { status <- readExit(sp.reqs) }()
	var o exitOutcome
	select {
	case o = <-status:
	case <-ctx.Done():
		sp.ch.SendRequest("signal", false, ssh.Marshal(struct{ Signal string }{"TERM"}))
		if _, ended := stop(g, c.sessionOn(sp.client), func() { sp.ch.Close() }, status); !ended { // its output may still be coming
			_, err := c.exitStatus(ctx, backend.Result{}, ctx.Err())
			return 0, err
		}
	}
	wg.Wait()
	switch {
	case ctx.Err() != nil:
		_, err := c.exitStatus(ctx, backend.Result{}, ctx.Err())
		return 0, err
	case !o.seen:
		return 0, c.lostError()
	case o.signal != "":
		return 0, fmt.Errorf("%s was killed by signal %s", cmd, o.signal)
	}
	return o.code, nil
}

// pipeChannel is a channel opened ahead: the one PrepareChannel opened,
// else the spare, else the one PrepareChannel is opening, once open; else
// a new one on the live client.
func (c *Conn) pipeChannel(ctx context.Context, cmd string) (*spare, error) {
	if sp := c.takeSpare(ctx, cmd, &c.piped); sp != nil {
		return sp, nil
	}
	if sp := c.takeSpare(ctx, cmd, &c.spare); sp != nil {
		return sp, nil
	}
	if err := c.awaitOpening(ctx); err != nil {
		return nil, err
	}
	if sp := c.takeSpare(ctx, cmd, &c.piped); sp != nil {
		return sp, nil
	}
	client, err := c.live(ctx)
	if err != nil {
		return nil, err
	}
	sp, err := withRoom(ctx, c, false, func() (*spare, error) {
		ch, reqs, err := client.OpenChannel("session", nil)
		return &spare{client: client, ch: ch, reqs: reqs}, err
	})
	if err != nil {
		return nil, fmt.Errorf("opening a channel: %v", err)
	}
	return sp, nil
}

// awaitOpening waits until the open PrepareChannel started, if any, has
// ended.
func (c *Conn) awaitOpening(ctx context.Context) error {
	c.mu.Lock()
	opening := c.opening
	c.mu.Unlock()
	if opening == nil {
		return nil
	}
	select {
	case <-opening:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// PrepareChannel opens a channel ahead and starts it ready, for the Pipe
// that follows, unless one is open or opening for it: its round trips
// (the open, and the start of the ready program: the server takes no
// input before) overlap whatever the caller waits for meanwhile. It is
// not the spare channel, which a command with stdin takes: in a deploy,
// the code's upload takes that one while the assets are built, and the
// rsync that follows paid for a channel of its own, 2 round trips of its
// 8 (RTT 200 ms).
func (c *Conn) PrepareChannel(ctx context.Context) {
	client, err := c.live(ctx)
	if err != nil {
		return // the Pipe reports it
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.piped != nil || c.opening != nil {
		return
	}
	done := c.openSpare(client, &c.piped)
	c.opening = done
	go func() {
		<-done
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.opening == done {
			c.opening = nil
		}
	}()
}
