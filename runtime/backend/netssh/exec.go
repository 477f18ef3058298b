package netssh

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/luacap/luacap/runtime/backend"
	"github.com/luacap/luacap/runtime/command"
)

// Run runs cmd on the host: through the connection's shell, one round
// trip, or in a session of its own when it asks for a terminal or stdin.
// Either way sh runs it, whatever the user's login shell (command.StartSh).
func (c *Conn) Run(ctx context.Context, cmd string, opts backend.RunOptions) (backend.Result, error) {
	if c.s.CommandTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.s.CommandTimeout)
		defer cancel()
	}
	if !opts.PTY && opts.Stdin == nil { // the shell's stdin carries the commands
		if res, ok, err := c.runInShell(ctx, cmd, opts); ok {
			return res, err
		}
	}
	return c.runInSession(ctx, cmd, opts)
}

// maxRequest bounds an exec request's command: sshd hands it to the login
// shell as one argument, which Linux bounds at 128 KiB.
const maxRequest = 120 << 10

// runInSession runs cmd in a new exec session.
func (c *Conn) runInSession(ctx context.Context, cmd string, opts backend.RunOptions) (backend.Result, error) {
	var request string
	var stdin io.Reader
	isReady := false
	if opts.PTY { // a terminal is stdin: the command goes in the request
		if request, stdin = command.StartSh(command.PrintfFormat(cmd)), opts.Stdin; len(request) > maxRequest {
			return backend.Result{}, fmt.Errorf("a command run with a terminal (pty) may be %d KiB once escaped for the login shell, "+
				"and this one is %d KiB: upload it as a script and run that", maxRequest>>10, len(request)>>10)
		}
	} else {
		if sp := c.takeSpare(ctx, cmd, &c.spare); sp != nil {
			return c.runOnSpare(ctx, sp, cmd, opts)
		}
		request, stdin, isReady = execute(cmd, opts.Stdin)
	}
	sess, client, err := c.session(ctx)
	if err != nil {
		return backend.Result{}, err
	}
	defer c.runs()()
	defer sess.Close()
	if c.s.ForwardAgent {
		if err := c.forwardAgent(client, sessionRequester{sess}); err != nil {
			return backend.Result{}, err
		}
	}
	if opts.PTY {
		if err := sess.RequestPty("xterm", 40, 120, ssh.TerminalModes{ssh.ECHO: 0}); err != nil {
			return backend.Result{}, fmt.Errorf("asking for a terminal: %v", err)
		}
	}
	kept := backend.NewKept()
	sess.Stdout, sess.Stderr = backend.Tee(kept.Stdout, opts.Stdout), backend.Tee(kept.Stderr, opts.Stderr)
	g := newGroup()
	sess.Stdout = g.output(sess.Stdout, isReady)
	sess.Stdin = stdin
	start := time.Now()
	if err := sess.Start(request); err != nil {
		return backend.Result{}, fmt.Errorf("starting the command: %v", err)
	}
	ended, err := wait(ctx, sess, g, c.sessionOn(client))
	res := backend.Result{Duration: time.Since(start)}
	if ended { // else its output may still be coming
		res = kept.Result(res)
	}
	return c.exitStatus(ctx, res, err)
}

// wait waits for the command, or on cancel asks the server to stop it
// and stops its group g; ended is false when its end never came.
func wait(ctx context.Context, sess *ssh.Session, g *group, newSession sessionOpener) (ended bool, err error) {
	done := make(chan error, 1)
	go func() { done <- sess.Wait() }()
	select {
	case err := <-done:
		return true, err
	case <-ctx.Done():
		sess.Signal(ssh.SIGTERM)
		_, ended := stop(g, newSession, func() { sess.Close() }, done)
		return ended, ctx.Err()
	}
}

// exitStatus turns how a command's wait ended into its result or error.
func (c *Conn) exitStatus(ctx context.Context, res backend.Result, err error) (backend.Result, error) {
	timeout := c.s.CommandTimeout
	var exit *ssh.ExitError
	var missing *ssh.ExitMissingError
	switch {
	case err == nil:
		return res, nil
	case errors.Is(ctx.Err(), context.DeadlineExceeded) && timeout > 0:
		return res, fmt.Errorf("the command ran longer than command_timeout (%v) and was stopped", timeout)
	case ctx.Err() != nil:
		return res, ctx.Err()
	case errors.As(err, &exit):
		res.Exit = exit.ExitStatus()
		return res, nil
	case errors.As(err, &missing), errors.Is(err, io.EOF):
		return res, c.lostError()
	}
	return res, err
}
