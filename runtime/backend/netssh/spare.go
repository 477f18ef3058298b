package netssh

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/luacap/luacap/runtime/backend"
	"github.com/luacap/luacap/runtime/command"
)

// spare is a session channel opened before it is needed, so a command
// that needs a session of its own (stdin streamed to it) starts at once
// instead of a round trip later. One is opened per connection, as it
// connects: a deploy streams one archive. It is not replaced once used; a
// later such command opens a session of its own, and 64 hosts opening a
// second channel while the first streamed raised luacap's peak RSS from
// about 50 to 72 MB in the benchmark. An rsync announced ahead
// (PrepareChannel, prepare_rsync()) gets one of its own, c.piped.
type spare struct {
	client *ssh.Client
	ch     ssh.Channel
	reqs   <-chan *ssh.Request
	ready  bool // it runs ready: the command comes on its stdin
}

// ready is what a spare channel runs as it opens: a sh that reads a
// command from its stdin, a count of lines and the lines, and runs it
// with the rest of stdin as the command's. A channel takes no input until
// the server has started its command, a round trip after the exec
// request; started ahead, a spare takes the command and its first input
// in one flight. read takes a byte at a time from a pipe, so nothing of
// the command's input is read ahead. A channel closed unused ends it. It
// writes its pid first, a line of stdout ahead of the command's
// (pidLine, taken off by pidTaker), so that a stop can kill the
// command's group.
var ready = command.StartSh(command.PrintfFormat(pidLine + `; IFS= read -r __luacap_n || exit 0; __luacap_c=
while [ "$__luacap_n" -gt 0 ]; do IFS= read -r __luacap_l || exit 1; __luacap_c="$__luacap_c$__luacap_l
"; __luacap_n=$((__luacap_n - 1)); done; unset __luacap_n __luacap_l; eval "unset __luacap_c; $__luacap_c"`))

// readyInput is what a ready spare reads to run cmd: its lines, counted,
// then the command's stdin, if any.
func readyInput(cmd string, stdin io.Reader) io.Reader {
	lines := strings.NewReader(fmt.Sprintf("%d\n%s\n", strings.Count(cmd, "\n")+1, cmd))
	if stdin == nil {
		return lines
	}
	return io.MultiReader(lines, stdin)
}

// execute is the exec request's command and the stdin that run cmd with
// stdin in a session: the ready program, cmd ahead of stdin, where no
// NUL byte cuts cmd short. The command's bytes as printf's escapes, up
// to four each, would otherwise go to the login shell as one argument,
// which Linux bounds at 128 KiB. isReady says the program is ready, whose
// stdout starts with its pid.
func execute(cmd string, stdin io.Reader) (request string, input io.Reader, isReady bool) {
	if strings.IndexByte(cmd, 0) >= 0 {
		return command.StartSh(command.PrintfFormat(cmd)), stdin, false
	}
	return ready, readyInput(cmd, stdin), true
}

// openSpare opens a spare channel in the background into slot (c.spare
// or c.piped), and starts it ready. With agent forwarding it is not
// started: sshd gives the agent only to sessions started after it was
// asked for, and asking costs the round trip that starting ahead saves.
// The channel it returns is closed once the attempt has ended, opened or
// not.
func (c *Conn) openSpare(client *ssh.Client, slot **spare) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		sp := openReady(client, !c.s.ForwardAgent)
		if sp == nil {
			return // a command that wanted it opens its own session
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if *slot != nil || len(c.chain) == 0 || c.client() != client {
			sp.ch.Close()
			go ssh.DiscardRequests(sp.reqs)
			return
		}
		*slot = sp
	}()
	return done
}

// openReady opens a session channel on client and, with start, starts the
// ready program in it; nil when either failed.
func openReady(client *ssh.Client, start bool) *spare {
	ch, reqs, err := client.OpenChannel("session", nil)
	if err != nil {
		return nil
	}
	if start {
		if _, err := ch.SendRequest("exec", false, ssh.Marshal(struct{ Command string }{ready})); err != nil {
			ch.Close()
			go ssh.DiscardRequests(reqs)
			return nil
		}
	}
	return &spare{client: client, ch: ch, reqs: reqs, ready: start}
}

// takeSpare returns the spare channel in slot, if one is open on the
// live client and can run cmd: a ready one reads it line by line, which a
// NUL byte would cut short.
func (c *Conn) takeSpare(ctx context.Context, cmd string, slot **spare) *spare {
	if strings.IndexByte(cmd, 0) >= 0 {
		return nil
	}
	client, err := c.live(ctx)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	sp := *slot
	*slot = nil
	if sp == nil || sp.client != client {
		return nil
	}
	return sp
}

// runOnSpare runs cmd on a spare channel: a ready one reads it ahead of
// stdin; on another, the exec request asks for no reply, so stdin
// follows it in the same flight, once the server has started it. A
// refused exec shows as the channel closing without an exit status.
func (c *Conn) runOnSpare(ctx context.Context, sp *spare, cmd string, opts backend.RunOptions) (backend.Result, error) {
	defer c.runs()()
	defer sp.ch.Close()
	stdin, isReady, err := c.startOnSpare(sp, cmd, opts.Stdin)
	if err != nil {
		return backend.Result{}, err
	}
	opts.Stdin = stdin
	start := time.Now()
	g := newGroup()
	out := streams(sp.ch, opts, g, isReady)
	status := make(chan exitOutcome, 1)
	go func() { status <- readExit(sp.reqs) }()
	var o exitOutcome
	select {
	case o = <-status:
	case <-ctx.Done():
		sp.ch.SendRequest("signal", false, ssh.Marshal(struct{ Signal string }{"TERM"}))
		if _, ended := stop(g, c.sessionOn(sp.client), func() { sp.ch.Close() }, status); !ended { // its output may still be coming
			return c.exitStatus(ctx, backend.Result{Duration: time.Since(start)}, ctx.Err())
		}
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

// startOnSpare starts cmd on sp and returns what to write to its stdin:
// for a ready spare, the command and then stdin. isReady says ready runs
// it, whose stdout starts with its pid.
func (c *Conn) startOnSpare(sp *spare, cmd string, stdin io.Reader) (input io.Reader, isReady bool, err error) {
	if sp.ready {
		return readyInput(cmd, stdin), true, nil
	}
	if c.s.ForwardAgent {
		if err := c.forwardAgent(sp.client, sp.ch); err != nil {
			return nil, false, err
		}
	}
	request, stdin, isReady := execute(cmd, stdin)
	if _, err := sp.ch.SendRequest("exec", false, ssh.Marshal(struct{ Command string }{request})); err != nil {
		return nil, false, fmt.Errorf("starting %s: %v", cmd, err)
	}
	return stdin, isReady, nil
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

// streams copies them; where the program writes its pid first
// (isReady), that line goes to g, not to the output.
func streams(ch ssh.Channel, opts backend.RunOptions, g *group, isReady bool) *channelStreams {
	s := &channelStreams{}
	if opts.Stdin != nil {
		go func() {
			io.Copy(ch, opts.Stdin)
			ch.CloseWrite()
		}()
	} else {
		ch.CloseWrite()
	}
	out := g.output(backend.Tee(&s.stdout, opts.Stdout), isReady)
	s.wg.Add(2)
	go func() { defer s.wg.Done(); io.Copy(out, ch) }()
	go func() { defer s.wg.Done(); io.Copy(backend.Tee(&s.stderr, opts.Stderr), ch.Stderr()) }()
	return s
}

// wait returns what the command wrote, once both streams have ended.
func (s *channelStreams) wait() (stdout, stderr string) {
	s.wg.Wait()
	return s.stdout.String(), s.stderr.String()
}
