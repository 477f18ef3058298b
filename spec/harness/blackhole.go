package harness

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"
)

// Proxy forwards TCP connections from a loopback port to a target, and
// can be switched while it runs to drop every packet: a host whose route
// is gone. Point the client at it with Cluster.WriteClientFilesVia:
//
//	p := harness.NewProxy(t, net.JoinHostPort(h.Addr, strconv.Itoa(h.Port)))
//	c.WriteClientFilesVia(map[string]int{h.Name: p.Port(), ...})
//	...
//	p.Blackhole(true) // from now on nothing gets through, either way
//
// While blackholed, the connections stay open and nothing is sent or
// closed on either side: bytes read are thrown away, and a peer's close
// is not passed on. A connection accepted meanwhile is held open and
// silent (the client's handshake times out) and never reaches the
// target. Blackhole(false) lets traffic through again on the connections
// that are still open and on new ones. The proxy stops when the test ends.
type Proxy struct {
	l        net.Listener
	target   string
	black    atomic.Bool
	accepted atomic.Int64

	mu    sync.Mutex
	conns []net.Conn
	wg    sync.WaitGroup
}

// NewProxy starts a proxy to target (host:port) on a free loopback port.
func NewProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{l: l, target: target}
	t.Cleanup(p.close)
	p.wg.Add(1)
	go p.serve()
	return p
}

// Port is the loopback port to connect to instead of the target's.
func (p *Proxy) Port() int { return p.l.Addr().(*net.TCPAddr).Port }

// Blackhole switches dropping every packet on or off.
func (p *Proxy) Blackhole(on bool) { p.black.Store(on) }

// Accepted counts the connections the proxy accepted: every attempt a
// client made to reach the target, whether or not it got through.
func (p *Proxy) Accepted() int { return int(p.accepted.Load()) }

func (p *Proxy) serve() {
	defer p.wg.Done()
	for {
		in, err := p.l.Accept()
		if err != nil {
			return
		}
		p.accepted.Add(1)
		p.track(in)
		if p.black.Load() {
			continue // held open, silent, until the test ends
		}
		out, err := net.Dial("tcp", p.target)
		if err != nil {
			in.Close() // the target is down: refused, as it would be
			continue
		}
		p.track(out)
		go p.pipe(out, in)
		go p.pipe(in, out)
	}
}

func (p *Proxy) track(c net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.conns = append(p.conns, c)
}

// pipe copies src to dst while the proxy is not blackholed, and passes on
// src's close unless it is.
func (p *Proxy) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !p.black.Load() {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				src.Close()
				return
			}
		}
		if err != nil {
			break
		}
	}
	if p.black.Load() {
		return // a dropped route delivers no close either
	}
	if tcp, ok := dst.(*net.TCPConn); ok {
		tcp.CloseWrite()
	} else {
		dst.Close()
	}
}

func (p *Proxy) close() {
	p.l.Close()
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
}
