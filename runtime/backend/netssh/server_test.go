package netssh

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// fault is what the test server does to its clients.
type fault int32

const (
	healthy  fault = iota
	refusing       // closes every new connection at once: sshd is gone
	silent         // reads and writes nothing, connections stay open: a dropped route
)

// testServer is an in-process SSH server on loopback that runs exec
// requests with sh, counts the connections it accepts, and can fail in
// the ways a host does.
type testServer struct {
	t       *testing.T
	l       net.Listener
	cfg     *ssh.ServerConfig
	fault   atomic.Int32
	accepts atomic.Int32
	// sessions counts the session channels opened; openDelay holds each
	// open that long first, as a round trip would.
	sessions  atomic.Int32
	openDelay atomic.Int64
	// maxSessions, when set, refuses a session beyond that many open at
	// once on a connection, as sshd's MaxSessions does.
	maxSessions atomic.Int32

	mu    sync.Mutex
	conns []net.Conn
	procs []*os.Process
}

// startServer starts a server and returns it with the Settings that
// reach it: small keepalive and connect timeouts, so faults show fast.
func startServer(t *testing.T) (*testServer, Settings) {
	t.Helper()
	t.Setenv("SSH_AUTH_SOCK", "") // only the key below logs in
	return newServer(t)
}

// newServer is startServer for a parallel subtest, whose parent has
// cleared SSH_AUTH_SOCK: a parallel test may not.
func newServer(t *testing.T) (*testServer, Settings) {
	t.Helper()
	dir := t.TempDir()
	hostPub, hostKey := newSigner(t)
	clientPub, clientKey := newSigner(t)
	block, err := ssh.MarshalPrivateKey(clientKey, "")
	must(t, err)
	keyFile := filepath.Join(dir, "id_ed25519")
	must(t, os.WriteFile(keyFile, pem.EncodeToMemory(block), 0o600))
	cfg := &ssh.ServerConfig{PublicKeyCallback: func(_ ssh.ConnMetadata, k ssh.PublicKey) (*ssh.Permissions, error) {
		if string(k.Marshal()) != string(clientPub.Marshal()) {
			return nil, errors.New("unknown key")
		}
		return nil, nil
	}}
	signer, err := ssh.NewSignerFromKey(hostKey)
	must(t, err)
	cfg.AddHostKey(signer)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	srv := &testServer{t: t, l: l, cfg: cfg}
	t.Cleanup(srv.close)
	go srv.serve()
	port := l.Addr().(*net.TCPAddr).Port
	kh := filepath.Join(dir, "known_hosts")
	line := knownhosts.Line([]string{knownhosts.Normalize(l.Addr().String())}, hostPub)
	must(t, os.WriteFile(kh, []byte(line+"\n"), 0o600))
	s := Settings{Name: "h1", Hostname: "127.0.0.1", Port: port, User: "root", IdentityFiles: []string{keyFile},
		IdentitiesOnly: true, KnownHosts: []string{kh}, StrictHostKey: "yes",
		ConnectTimeout: 500 * time.Millisecond, KeepAlive: 250 * time.Millisecond, KeepAliveMax: 4}
	return srv, s
}

func newSigner(t *testing.T) (ssh.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	must(t, err)
	sshPub, err := ssh.NewPublicKey(pub)
	must(t, err)
	return sshPub, priv
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (s *testServer) set(f fault) { s.fault.Store(int32(f)) }

// dropAll closes every connection, as a restarted sshd or a reset does.
func (s *testServer) dropAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		c.Close()
	}
	s.conns = nil
}

func (s *testServer) close() {
	s.l.Close()
	s.dropAll()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.procs {
		syscall.Kill(-p.Pid, syscall.SIGKILL) // the command's children too
	}
}

func (s *testServer) serve() {
	for {
		conn, err := s.l.Accept()
		if err != nil {
			return
		}
		s.accepts.Add(1)
		if fault(s.fault.Load()) == refusing {
			conn.Close()
			continue
		}
		s.mu.Lock()
		s.conns = append(s.conns, conn)
		s.mu.Unlock()
		go s.handle(&faultyConn{Conn: conn, srv: s})
	}
}

// faultyConn swallows what is read and pretends to write while the
// server is silent; it never closes on its own.
type faultyConn struct {
	net.Conn
	srv *testServer
}

func (c *faultyConn) Read(p []byte) (int, error) {
	for {
		n, err := c.Conn.Read(p)
		if err != nil || fault(c.srv.fault.Load()) != silent {
			return n, err
		}
	}
}

func (c *faultyConn) Write(p []byte) (int, error) {
	if fault(c.srv.fault.Load()) == silent {
		return len(p), nil
	}
	return c.Conn.Write(p)
}

func (s *testServer) handle(conn net.Conn) {
	sc, chans, reqs, err := ssh.NewServerConn(conn, s.cfg)
	if err != nil {
		conn.Close()
		return
	}
	defer sc.Close()
	go ssh.DiscardRequests(reqs) // keepalives: a refusal is a reply
	var live atomic.Int32
	for nc := range chans {
		if nc.ChannelType() != "session" {
			nc.Reject(ssh.UnknownChannelType, "sessions only")
			continue
		}
		time.Sleep(time.Duration(s.openDelay.Load()))
		if max := s.maxSessions.Load(); max > 0 && live.Load() >= max {
			nc.Reject(ssh.ConnectionFailed, "open failed")
			continue
		}
		ch, creqs, err := nc.Accept()
		if err != nil {
			continue
		}
		s.sessions.Add(1)
		live.Add(1)
		go func() {
			defer live.Add(-1)
			s.session(ch, creqs)
		}()
	}
}

// session runs the channel's exec request with sh and reports its exit,
// or serves sftp.
func (s *testServer) session(ch ssh.Channel, reqs <-chan *ssh.Request) {
	defer ch.Close()
	for req := range reqs {
		var p struct{ Value string }
		ssh.Unmarshal(req.Payload, &p)
		switch {
		case req.Type == "pty-req": // granted, and ignored: the command runs as without
			req.Reply(true, nil)
			continue
		case req.Type == "exec":
			req.Reply(true, nil)
			go ssh.DiscardRequests(reqs)
			s.run(ch, p.Value)
			return
		case req.Type == "subsystem" && p.Value == "sftp":
			req.Reply(true, nil)
			go ssh.DiscardRequests(reqs)
			if srv, err := sftp.NewServer(ch); err == nil {
				srv.Serve()
			}
			return
		}
		req.Reply(false, nil)
	}
}

func (s *testServer) run(ch ssh.Channel, command string) {
	cmd := exec.Command("sh", "-c", command)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = ch, ch, ch.Stderr()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = time.Second // a killed command's children may hold its pipes
	if err := cmd.Start(); err != nil {
		io.WriteString(ch.Stderr(), err.Error())
		return
	}
	s.mu.Lock()
	s.procs = append(s.procs, cmd.Process)
	s.mu.Unlock()
	status := uint32(0)
	if err := cmd.Wait(); err != nil {
		status = 1
		if ee, ok := err.(*exec.ExitError); ok {
			status = uint32(ee.ExitCode())
		}
	}
	ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{status}))
}
