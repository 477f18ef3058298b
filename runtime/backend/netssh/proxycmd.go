package netssh

import (
	"fmt"
	"io"
	"net"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// proxyConn is a ProxyCommand's stdin and stdout as a connection, as ssh
// uses it. Closing it ends the command and everything it started.
type proxyConn struct {
	cmd     *exec.Cmd
	in      io.WriteCloser
	out     io.ReadCloser
	stderr  *tailBuffer
	addr    proxyAddr
	close   sync.Once
	waitErr error
}

// dialProxyCommand starts command (its tokens expanded) with sh -c.
func dialProxyCommand(command, addr string) (net.Conn, error) {
	cmd := exec.Command("/bin/sh", "-c", command)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // Close kills its children too
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr := &tailBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("ProxyCommand %q: %v", command, err)
	}
	return &proxyConn{cmd: cmd, in: in, out: out, stderr: stderr, addr: proxyAddr(addr)}, nil
}

func (p *proxyConn) Read(b []byte) (int, error)  { return p.out.Read(b) }
func (p *proxyConn) Write(b []byte) (int, error) { return p.in.Write(b) }

func (p *proxyConn) Close() error {
	p.close.Do(func() {
		p.in.Close()
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
		p.waitErr = p.cmd.Wait()
	})
	return nil
}

func (p *proxyConn) LocalAddr() net.Addr                { return p.addr }
func (p *proxyConn) RemoteAddr() net.Addr               { return p.addr }
func (p *proxyConn) SetDeadline(t time.Time) error      { return nil }
func (p *proxyConn) SetReadDeadline(t time.Time) error  { return nil }
func (p *proxyConn) SetWriteDeadline(t time.Time) error { return nil }

// proxyAddr names the host a ProxyCommand reaches.
type proxyAddr string

func (a proxyAddr) Network() string { return "proxycommand" }
func (a proxyAddr) String() string  { return string(a) }

// withProxyOutput adds what a ProxyCommand said on stderr to a failed
// handshake over it: the reason is there, not in "EOF".
func withProxyOutput(conn net.Conn, err error) error {
	p, ok := conn.(*proxyConn)
	if !ok {
		if c, isCounting := conn.(countingConn); isCounting {
			p, ok = c.Conn.(*proxyConn)
		}
	}
	if !ok {
		return err
	}
	p.Close()
	if tail := strings.TrimSpace(p.stderr.String()); tail != "" {
		return fmt.Errorf("%v (ProxyCommand %q said: %s)", err, strings.Join(p.cmd.Args[2:], " "), tail)
	}
	return fmt.Errorf("%v (ProxyCommand %q ended: %v)", err, strings.Join(p.cmd.Args[2:], " "), p.waitErr)
}

// tailBuffer keeps the last 2 KiB written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tailBuffer) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if len(t.buf) > 2048 {
		t.buf = t.buf[len(t.buf)-2048:]
	}
	return len(b), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
