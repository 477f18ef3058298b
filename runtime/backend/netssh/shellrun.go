package netssh

import (
	"bytes"
	"context"
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
	var stdout, stderr bytes.Buffer
	start := time.Now()
	type outcome struct {
		exit int
		err  error
	}
	done := make(chan outcome, 1)
	go func() {
		exit, err := sh.run(cmd, backend.Tee(&stdout, opts.Stdout), backend.Tee(&stderr, opts.Stderr))
		done <- outcome{exit, err}
	}()
	var o outcome
	select {
	case o = <-done:
	case <-ctx.Done():
		sh.stop()
		<-done
		c.dropShell(sh)
		res := backend.Result{Stdout: stdout.String(), Stderr: stderr.String(), Duration: time.Since(start)}
		res, err := exitStatus(ctx, res, ctx.Err(), c.s.CommandTimeout)
		return res, true, err
	}
	res := backend.Result{Stdout: stdout.String(), Stderr: stderr.String(), Duration: time.Since(start), Exit: o.exit}
	if o.err != nil {
		c.dropShell(sh)
		return res, true, errConnectionLost
	}
	return res, true, nil
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
	sh, err := startShell(client, func(ch ssh.Channel) error {
		if c.s.ForwardAgent {
			return c.forwardAgentLocked(client, ch)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
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
