package netssh

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/luacap/luacap/runtime/backend"
)

// spare is a session channel opened before it is needed, so a command
// that needs a session of its own (stdin streamed to it) starts at once
// instead of a round trip later. One is opened per connection, as it
// connects: a deploy streams one archive. It is not replaced once used; a
// later such command opens a session of its own, and 64 hosts opening a
// second channel while the first streamed raised luacap's peak RSS from
// about 50 to 72 MB in the benchmark.
type spare struct {
	client *ssh.Client
	ch     ssh.Channel
	reqs   <-chan *ssh.Request
}

// openSpare opens the next spare channel in the background.
func (c *Conn) openSpare(client *ssh.Client) {
	go func() {
		ch, reqs, err := client.OpenChannel("session", nil)
		if err != nil {
			return // a command that wanted it opens its own session
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.spare != nil || len(c.chain) == 0 || c.client() != client {
			ch.Close()
			go ssh.DiscardRequests(reqs)
			return
		}
		c.spare = &spare{client: client, ch: ch, reqs: reqs}
	}()
}

// takeSpare returns the spare channel, if one is open on the live client.
func (c *Conn) takeSpare(ctx context.Context) *spare {
	client, err := c.live(ctx)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	sp := c.spare
	c.spare = nil
	if sp == nil || sp.client != client {
		return nil
	}
	return sp
}

// runOnSpare runs cmd on a spare channel. The exec request asks for no
// reply, so stdin follows it in the same flight; a refused exec shows as
// the channel closing without an exit status.
func (c *Conn) runOnSpare(ctx context.Context, sp *spare, cmd string, opts backend.RunOptions) (backend.Result, error) {
	defer sp.ch.Close()
	if c.s.ForwardAgent {
		if err := c.forwardAgent(sp.client, sp.ch); err != nil {
			return backend.Result{}, err
		}
	}
	payload := ssh.Marshal(struct{ Command string }{cmd})
	if _, err := sp.ch.SendRequest("exec", false, payload); err != nil {
		return backend.Result{}, fmt.Errorf("starting the command: %v", err)
	}
	start := time.Now()
	out := streams(sp.ch, opts)
	status := make(chan exitOutcome, 1)
	go func() { status <- readExit(sp.reqs) }()
	var o exitOutcome
	select {
	case o = <-status:
	case <-ctx.Done():
		sp.ch.SendRequest("signal", false, ssh.Marshal(struct{ Signal string }{"TERM"}))
		sp.ch.Close()
		<-status
	}
	stdout, stderr := out.wait()
	res := backend.Result{Stdout: stdout, Stderr: stderr, Duration: time.Since(start), Exit: o.code}
	switch {
	case ctx.Err() != nil:
		return c.exitStatus(ctx, res, ctx.Err())
	case !o.seen:
		return res, c.lostError()
	case o.signal != "":
		return res, fmt.Errorf("the command was killed by signal %s", o.signal)
	}
	return res, nil
}

// exitOutcome is how the server said a command ended.
type exitOutcome struct {
	seen   bool
	code   int
	signal string
}

// readExit reads the channel's requests until it closes.
func readExit(reqs <-chan *ssh.Request) exitOutcome {
	var o exitOutcome
	for req := range reqs {
		switch req.Type {
		case "exit-status":
			if len(req.Payload) >= 4 {
				o.seen, o.code = true, int(binary.BigEndian.Uint32(req.Payload))
			}
		case "exit-signal":
			var sig struct{ Signal string }
			ssh.Unmarshal(req.Payload, &sig)
			o.seen, o.signal = true, sig.Signal
		}
		if req.WantReply {
			req.Reply(false, nil)
		}
	}
	return o
}

// channelStreams copies a channel's stdin, stdout and stderr.
type channelStreams struct {
	wg             sync.WaitGroup
	stdout, stderr bytes.Buffer // read only after wg
}

func streams(ch ssh.Channel, opts backend.RunOptions) *channelStreams {
	s := &channelStreams{}
	if opts.Stdin != nil {
		go func() {
			io.Copy(ch, opts.Stdin)
			ch.CloseWrite()
		}()
	} else {
		ch.CloseWrite()
	}
	s.wg.Add(2)
	go func() { defer s.wg.Done(); io.Copy(backend.Tee(&s.stdout, opts.Stdout), ch) }()
	go func() { defer s.wg.Done(); io.Copy(backend.Tee(&s.stderr, opts.Stderr), ch.Stderr()) }()
	return s
}

// wait returns what the command wrote, once both streams have ended.
func (s *channelStreams) wait() (stdout, stderr string) {
	s.wg.Wait()
	return s.stdout.String(), s.stderr.String()
}
