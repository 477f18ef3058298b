package netssh

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// Conn is one host's connection for the whole run: exec sessions and sftp
// share its client. When the client dies, a command that was running on
// it fails and the next one dials once more (a network blip); when that
// dial fails too, the host is down for the rest of the run and every
// later command fails at once, without dialling.
type Conn struct {
	d *Dialer
	s Settings

	mu      sync.Mutex
	chain   []*ssh.Client // jump hosts, then the host
	dead    chan struct{} // closed when the client's connection ends
	lost    *loss         // when and why it ended
	down    *UnreachableError
	sftp    *sftp.Client
	agent   net.Conn
	stopKA  context.CancelFunc
	forward bool // agent forwarding set up on this client

	shellMu sync.Mutex // one command at a time through the shell
	sh      *shell
	spare   *spare          // a session channel opened ahead, for a command that needs its own
	piped   *spare          // one PrepareChannel opened ahead for the Pipe it announced
	opening <-chan struct{} // closed once PrepareChannel's open has ended; nil when none runs
	running atomic.Int32    // commands running in sessions of their own, which end by themselves (withRoom)
	closed  bool            // Close was called: live does not dial again
	lastEnd atomic.Int64    // when such a command last ended, in Unix ns
}

// connect dials the chain and starts the keepalives. Callers hold mu, or
// own c before it is shared.
func (c *Conn) connect(ctx context.Context) error {
	ag, agentConn := dialAgent(c.s.AgentSocket)
	chain, err := c.d.dialChain(ctx, c.s, ag)
	if err != nil {
		if agentConn != nil {
			agentConn.Close()
		}
		return err
	}
	c.chain, c.agent, c.forward, c.sftp, c.sh = chain, agentConn, false, nil, nil
	client, dead, lost := c.client(), make(chan struct{}), &loss{}
	c.dead, c.lost = dead, lost
	go func() { lost.note(waitReason(client.Wait())); close(dead) }()
	kaCtx, stop := context.WithCancel(context.Background())
	c.stopKA = stop
	go keepAlive(kaCtx, client, c.s.KeepAlive, c.s.KeepAliveMax, lost.note)
	c.spare, c.piped, c.opening = nil, nil, nil
	c.openSpare(client, &c.spare)
	return nil
}

func (c *Conn) client() *ssh.Client { return c.chain[len(c.chain)-1] }

// errClosed is what asks for a connection after it was closed.
var errClosed = errors.New("the connection was closed as the run ended")

// live returns the client. When the connection has died it dials once
// more; when that fails, the host is down and live fails at once from
// then on. A dial stopped by the caller's context (Ctrl-C) does not mark
// the host down: the host did not fail.
func (c *Conn) live(ctx context.Context) (*ssh.Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.down != nil {
		return nil, c.down
	}
	if c.closed {
		return nil, errClosed
	}
	select {
	case <-c.dead:
	default:
		return c.client(), nil
	}
	c.closeLocked()
	err := c.connect(ctx)
	if err == nil {
		return c.client(), nil
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("the connection was lost and dialling again was interrupted: %w", err)
	}
	at, why := c.lost.get()
	c.down = &UnreachableError{Since: at, Why: why, Redial: err}
	return nil, c.down
}

// session opens an exec session; when the client turns out to be dead,
// it dials once more, which is safe because nothing has run yet.
func (c *Conn) session(ctx context.Context) (*ssh.Session, *ssh.Client, error) {
	for attempt := 0; ; attempt++ {
		client, err := c.live(ctx)
		if err != nil {
			return nil, nil, err
		}
		sess, err := withRoom(ctx, c, false, client.NewSession)
		if err == nil {
			return sess, client, nil
		}
		if attempt > 0 {
			return nil, nil, fmt.Errorf("opening a session: %v", err)
		}
		c.abandon(client, "opening a session failed: "+err.Error())
	}
}

// abandon closes a client that no longer works, noting why, and waits
// until it is marked dead: the next live() dials again.
func (c *Conn) abandon(client *ssh.Client, why string) {
	c.mu.Lock()
	current := len(c.chain) > 0 && c.client() == client
	dead, l := c.dead, c.lost
	c.mu.Unlock()
	if !current { // dialled again meanwhile: nothing to wait for
		client.Close()
		return
	}
	l.note(why)
	client.Close()
	<-dead
}

// forwardAgent sets up agent forwarding on the first session of a
// connection. sshd grants it once per connection and then gives every
// later session the same SSH_AUTH_SOCK; asking again is refused.
func (c *Conn) forwardAgent(client *ssh.Client, on requester) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.forwardAgentLocked(client, on)
}

// requester is a session or a raw session channel: what asks for the agent.
type requester interface {
	SendRequest(name string, wantReply bool, payload []byte) (bool, error)
}

type sessionRequester struct{ *ssh.Session }

// forwardAgentLocked is forwardAgent with c.mu held.
func (c *Conn) forwardAgentLocked(client *ssh.Client, on requester) error {
	if c.forward {
		return nil
	}
	sock := c.s.AgentSocket
	if sock == "" {
		return errors.New("forward_agent is set but there is no agent: SSH_AUTH_SOCK is empty or IdentityAgent is none; start ssh-agent and ssh-add your key")
	}
	if err := agent.ForwardToRemote(client, sock); err != nil {
		return fmt.Errorf("forwarding the agent: %v", err)
	}
	if ok, err := on.SendRequest("auth-agent-req@openssh.com", true, nil); err != nil || !ok {
		return fmt.Errorf("the server refused agent forwarding (AllowAgentForwarding in its sshd_config?): %v", err)
	}
	c.forward = true
	return nil
}

// Close ends the connection and every hop. What asks for the connection
// afterwards (a channel opened ahead in the background, late) gets an
// error: the run has ended, and nothing dials again.
func (c *Conn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	return c.closeLocked()
}

func (c *Conn) closeLocked() error {
	if c.stopKA != nil {
		c.stopKA()
	}
	if c.sftp != nil {
		c.sftp.Close()
		c.sftp = nil
	}
	for _, sp := range []**spare{&c.spare, &c.piped} {
		if *sp != nil {
			(*sp).ch.Close()
			*sp = nil
		}
	}
	var err error
	if len(c.chain) > 0 {
		err = c.client().Close()
		closeAll(c.chain[:len(c.chain)-1])
	}
	if c.agent != nil {
		c.agent.Close()
		c.agent = nil
	}
	return err
}
