package netssh

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// Conn is one host's connection for the whole run: exec sessions and sftp
// share its client. When the client dies while idle, the next command
// dials again; a command that was running when it died fails.
type Conn struct {
	d *Dialer
	s Settings

	mu      sync.Mutex
	chain   []*ssh.Client // jump hosts, then the host
	dead    chan struct{} // closed when the client's connection ends
	sftp    *sftp.Client
	agent   net.Conn
	stopKA  context.CancelFunc
	forward bool // agent forwarding set up on this client

	shellMu sync.Mutex // one command at a time through the shell
	sh      *shell
	spare   *spare // a session channel opened ahead, for a command that needs its own
}

// connect dials the chain and starts the keepalives. Callers hold mu, or
// own c before it is shared.
func (c *Conn) connect(ctx context.Context) error {
	ag, agentConn := dialAgent()
	chain, err := c.d.dialChain(ctx, c.s, ag)
	if err != nil {
		if agentConn != nil {
			agentConn.Close()
		}
		return err
	}
	c.chain, c.agent, c.forward, c.sftp, c.sh = chain, agentConn, false, nil, nil
	client := c.client()
	c.dead = make(chan struct{})
	go func(dead chan struct{}) { client.Wait(); close(dead) }(c.dead)
	kaCtx, stop := context.WithCancel(context.Background())
	c.stopKA = stop
	go keepAlive(kaCtx, client, c.s.KeepAlive, c.s.KeepAliveMax)
	c.spare = nil
	c.openSpare(client)
	return nil
}

func (c *Conn) client() *ssh.Client { return c.chain[len(c.chain)-1] }

// live returns the client, dialling again when the connection has died.
func (c *Conn) live(ctx context.Context) (*ssh.Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	select {
	case <-c.dead:
		c.closeLocked()
		if err := c.connect(ctx); err != nil {
			return nil, fmt.Errorf("the connection was lost and dialling again failed: %w", err)
		}
	default:
	}
	return c.client(), nil
}

// session opens an exec session; when the client turns out to be dead,
// it dials once more, which is safe because nothing has run yet.
func (c *Conn) session(ctx context.Context) (*ssh.Session, *ssh.Client, error) {
	for attempt := 0; ; attempt++ {
		client, err := c.live(ctx)
		if err != nil {
			return nil, nil, err
		}
		sess, err := client.NewSession()
		if err == nil {
			return sess, client, nil
		}
		if attempt > 0 {
			return nil, nil, fmt.Errorf("opening a session: %v", err)
		}
		client.Close() // marks it dead; live() dials again
		<-c.dead
	}
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
	sock := agentSocket()
	if sock == "" {
		return errors.New("forward_agent is set but SSH_AUTH_SOCK is empty: start ssh-agent and ssh-add your key")
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

// Close ends the connection and every hop.
func (c *Conn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
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
	if c.spare != nil {
		c.spare.ch.Close()
		c.spare = nil
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
