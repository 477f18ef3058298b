// Package harness starts real OpenSSH sshd hosts for luacap's spec: each
// on a loopback port, in a mount namespace of its own so that every host
// sees its own /var/www, with fresh host and user keys per run and a
// known_hosts and ssh_config for the client.
package harness

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// Options shape a cluster.
type Options struct {
	ClientAliveInterval int // sshd's, in seconds; 0: off
	ClientAliveCountMax int
	NoGit               bool     // servers without git: /usr/bin/git is empty on them
	Hide                []string // other programs made unusable the same way
	// TmpfsRoot[name] is the size in bytes of a tmpfs mounted as host
	// name's /var/www before its sshd starts: a disk that can fill up.
	TmpfsRoot map[string]int64
	// LoginShell is root's login shell on the hosts, which sshd runs
	// every exec request's command with (-c); empty: the machine's.
	LoginShell string
}

// Cluster is a set of hosts and the client files that reach them.
type Cluster struct {
	Dir        string
	Hosts      []*Host
	ClientKey  string // private key authorised on every host
	ClientPub  ssh.PublicKey
	KnownHosts string // every host's key
	SSHConfig  string // a Host block per host, as a user would write
	authKeys   string
}

// Start starts n hosts named h1..hn and stops them when the test ends.
func Start(t testing.TB, n int, opts Options) *Cluster {
	t.Helper()
	c, err := newCluster(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	for i := 1; i <= n; i++ {
		if _, err := c.AddHost(fmt.Sprintf("h%d", i), "127.0.0.1", 0, "", opts); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.WriteClientFiles(); err != nil {
		t.Fatal(err)
	}
	return c
}

func newCluster(dir string) (*Cluster, error) {
	for _, d := range []string{DeployRoot, "/run/sshd", filepath.Join(dir, "home")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	c := &Cluster{Dir: dir, ClientKey: filepath.Join(dir, "id_ed25519"), KnownHosts: filepath.Join(dir, "known_hosts"),
		SSHConfig: filepath.Join(dir, "ssh_config"), authKeys: filepath.Join(dir, "authorized_keys")}
	pub, err := NewKey(c.ClientKey, "")
	if err != nil {
		return nil, err
	}
	c.ClientPub = pub
	return c, os.WriteFile(c.authKeys, ssh.MarshalAuthorizedKey(pub), 0o600)
}

// AddHost starts one more sshd listening on addr (port 0: a free one),
// inside network namespace netns when it is not empty.
func (c *Cluster) AddHost(name, addr string, port int, netns string, opts Options) (*Host, error) {
	if port == 0 {
		p, err := freePort(addr)
		if err != nil {
			return nil, err
		}
		port = p
	}
	dir := filepath.Join(c.Dir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	h := &Host{Name: name, Addr: addr, Port: port, Root: filepath.Join(dir, "www"), dir: dir,
		log: filepath.Join(dir, "sshd.log"), netns: netns}
	if err := h.start(c.authKeys, opts); err != nil {
		h.Stop() // unmounts a tmpfs root that start mounted
		return nil, err
	}
	c.Hosts = append(c.Hosts, h)
	return h, nil
}

// WriteClientFiles writes known_hosts and ssh_config for every host.
func (c *Cluster) WriteClientFiles() error { return c.writeClientFiles(true) }

// WriteAgentOnlyConfig rewrites ssh_config with no IdentityFile, so that
// only an ssh-agent can log in.
func (c *Cluster) WriteAgentOnlyConfig() error { return c.writeClientFiles(false) }

func (c *Cluster) writeClientFiles(withKey bool) error {
	var kh, cfg strings.Builder
	for _, h := range c.Hosts {
		kh.WriteString(knownhosts.Line([]string{knownhosts.Normalize(net.JoinHostPort(h.Addr, fmt.Sprint(h.Port)))}, h.HostKey) + "\n")
		fmt.Fprintf(&cfg, "Host %s\n  HostName %s\n  Port %d\n  User root\n  UserKnownHostsFile %s\n", h.Name, h.Addr, h.Port, c.KnownHosts)
		if withKey {
			fmt.Fprintf(&cfg, "  IdentityFile %s\n  IdentitiesOnly yes\n", c.ClientKey)
		}
		cfg.WriteString("\n")
	}
	if err := os.WriteFile(c.KnownHosts, []byte(kh.String()), 0o600); err != nil {
		return err
	}
	return os.WriteFile(c.SSHConfig, []byte(cfg.String()), 0o600)
}

// WriteClientFilesVia writes known_hosts and an ssh_config that reach each
// host through port[host name] instead of its own port (a delay proxy).
func (c *Cluster) WriteClientFilesVia(port map[string]int) error {
	saved := map[*Host]int{}
	for _, h := range c.Hosts {
		saved[h] = h.Port
		h.Port = port[h.Name]
	}
	defer func() {
		for h, p := range saved {
			h.Port = p
		}
	}()
	return c.WriteClientFiles()
}

// Home is an empty home directory for luacap runs, so that the machine's
// own ~/.ssh plays no part.
func (c *Cluster) Home() string { return filepath.Join(c.Dir, "home") }

// Host returns the host named name.
func (c *Cluster) Host(name string) *Host {
	for _, h := range c.Hosts {
		if h.Name == name {
			return h
		}
	}
	return nil
}

// Stop stops every host.
func (c *Cluster) Stop() {
	for _, h := range c.Hosts {
		h.Stop()
	}
}

// handedOut holds every port freePort returned in this process: clusters
// started side by side must not be given the same port between its
// probe's close and their sshd's bind (one sshd would then answer, with
// the wrong key, for both, and the other be refused once it stops).
var handedOut sync.Map

func freePort(addr string) (int, error) {
	for {
		l, err := net.Listen("tcp", net.JoinHostPort(addr, "0"))
		if err != nil {
			return 0, err
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if _, taken := handedOut.LoadOrStore(port, true); !taken {
			return port, nil
		}
	}
}
