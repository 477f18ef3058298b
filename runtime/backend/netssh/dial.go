package netssh

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/crypto/ssh/knownhosts"
)

// Dialer opens connections. Its Prompt asks for key passphrases, one at a
// time however many hosts dial at once; Warn prints warnings.
type Dialer struct {
	Prompt Prompt
	Warn   func(string)

	promptMu sync.Mutex
	sent     atomic.Int64
	cache    resolved
}

func (d *Dialer) prompt() Prompt {
	if d.Prompt == nil {
		return nil
	}
	return func(p string) (string, error) {
		d.promptMu.Lock()
		defer d.promptMu.Unlock()
		return d.Prompt(p)
	}
}

func (d *Dialer) warn(msg string) {
	if d.Warn != nil {
		d.Warn(msg)
	}
}

// Dial connects to the host s describes, through its ProxyJump hops.
func (d *Dialer) Dial(ctx context.Context, s Settings) (*Conn, error) {
	c := &Conn{d: d, s: s}
	if err := c.connect(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// dialChain dials every hop and then the host, each through the last.
func (d *Dialer) dialChain(ctx context.Context, s Settings, ag agent.ExtendedAgent) ([]*ssh.Client, error) {
	targets, err := s.hops()
	if err != nil {
		return nil, err
	}
	targets = append(targets, s)
	var chain []*ssh.Client
	for i, t := range targets {
		var through *ssh.Client
		if i > 0 {
			through = chain[i-1]
		}
		client, err := d.dialOne(ctx, t, through, ag)
		if err != nil {
			closeAll(chain)
			if i < len(targets)-1 {
				return nil, fmt.Errorf("jump host %s: %w", t.Addr(), err)
			}
			return nil, err
		}
		chain = append(chain, client)
	}
	return chain, nil
}

func (d *Dialer) dialOne(ctx context.Context, s Settings, through *ssh.Client, ag agent.ExtendedAgent) (*ssh.Client, error) {
	auth, err := s.authMethods(ag, d.prompt())
	if err != nil {
		return nil, err
	}
	addr := s.Addr()
	check, known, err := s.hostKeys(addr, d.warn)
	if err != nil {
		return nil, err
	}
	algos := keyAlgorithms(known)
	dctx, cancel := context.WithTimeout(ctx, s.ConnectTimeout)
	defer cancel()
	conn, err := s.transport(dctx, addr, through)
	if err != nil {
		return nil, err
	}
	if through == nil { // the first hop is what goes over the wire from here
		conn = countingConn{Conn: conn, sent: &d.sent}
	}
	// The handshake has no context of its own: close the connection to
	// stop it when dctx ends.
	stop := context.AfterFunc(dctx, func() { conn.Close() })
	defer stop()
	cfg := &ssh.ClientConfig{User: s.User, Auth: auth, HostKeyCallback: check, HostKeyAlgorithms: algos, Timeout: s.ConnectTimeout}
	cc, chans, reqs, err := ssh.NewClientConn(conn, addr, cfg)
	if err != nil {
		conn.Close()
		if dctx.Err() != nil && ctx.Err() == nil {
			return nil, fmt.Errorf("ssh handshake with %s timed out after %v", addr, s.ConnectTimeout)
		}
		if changed := otherKeyType(addr, err, known); changed != nil {
			return nil, changed
		}
		return nil, explainHandshake(s, withProxyOutput(conn, err))
	}
	return ssh.NewClient(cc, chans, reqs), nil
}

// transport is the byte stream the handshake runs over: a channel of the
// previous hop, the ProxyCommand's stdin and stdout, or TCP.
func (s Settings) transport(ctx context.Context, addr string, through *ssh.Client) (net.Conn, error) {
	if through != nil {
		return through.DialContext(ctx, "tcp", addr)
	}
	if s.ProxyCommand != "" {
		return dialProxyCommand(s.ProxyCommand, addr)
	}
	var nd net.Dialer
	return nd.DialContext(ctx, "tcp", addr)
}

// otherKeyType is a host offering none of the key types known for it:
// its key changed, as far as anyone can tell, and it is refused as ssh
// refuses it.
func otherKeyType(addr string, err error, known []knownhosts.KnownKey) error {
	msg := err.Error()
	if len(known) == 0 || !strings.Contains(msg, "no common algorithm for host key") {
		return nil
	}
	offered := "keys of other types"
	if _, after, ok := strings.Cut(msg, "server offered: "); ok {
		offered = "only " + strings.Trim(after, "[]") + " keys"
	}
	return &ChangedHostKeyError{Addr: addr, Fingerprint: offered, Known: knownKeyText(known[0])}
}

// explainHandshake turns x/crypto's handshake errors into what to check.
func explainHandshake(s Settings, err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "unable to authenticate"):
		return fmt.Errorf("authentication refused for %s@%s: the server accepted none of the keys offered; check the user, and that the key is in the server's authorized_keys or loaded in ssh-agent", s.User, s.Addr())
	}
	var unknown *UnknownHostKeyError
	var changed *ChangedHostKeyError
	if errors.As(err, &unknown) {
		return unknown
	}
	if errors.As(err, &changed) {
		return changed
	}
	return fmt.Errorf("ssh handshake with %s: %v", s.Addr(), strings.TrimPrefix(msg, "ssh: handshake failed: "))
}

// hops resolves each ProxyJump entry, "[user@]host[:port]", through the
// same ssh_config, with the host's keys and known_hosts.
func (s Settings) hops() ([]Settings, error) {
	var out []Settings
	for _, spec := range s.ProxyJump {
		user, hostport := "", strings.TrimSpace(spec)
		if at := strings.LastIndex(hostport, "@"); at >= 0 {
			user, hostport = hostport[:at], hostport[at+1:]
		}
		hostname, port := hostport, 0
		if h, p, err := net.SplitHostPort(hostport); err == nil {
			n, err := strconv.Atoi(p)
			if err != nil {
				return nil, fmt.Errorf("ProxyJump %q: port %q is not a number", spec, p)
			}
			hostname, port = h, n
		}
		hop, err := s.hopSettings(hostname, user, port)
		if err != nil {
			return nil, fmt.Errorf("ProxyJump %q: %w", spec, err)
		}
		out = append(out, hop)
	}
	return out, nil
}

// hopSettings resolves a jump host through the same ssh_config.
func (s Settings) hopSettings(hostname, user string, port int) (Settings, error) {
	cfg, o := s.cfg, s.hopOptions()
	if cfg == nil {
		var err error
		if cfg, err = loadSSHConfig(o, newConfigReader()); err != nil {
			return Settings{}, err
		}
	}
	return cfg.settings(hostname, hostname, user, port, o)
}

func closeAll(chain []*ssh.Client) {
	for i := len(chain) - 1; i >= 0; i-- {
		chain[i].Close()
	}
}
