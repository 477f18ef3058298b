package harness

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// StartDelayProxy listens on loopback and forwards every connection to
// target, delaying each chunk by rtt/2 in each direction without
// limiting bandwidth: a network with that round-trip time. It stops when
// the test ends. It returns the port to connect to.
func StartDelayProxy(t testing.TB, target string, rtt time.Duration) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { l.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			in, err := l.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			go delayed(out, in, rtt/2)
			go delayed(in, out, rtt/2)
		}
	}()
	return l.Addr().(*net.TCPAddr).Port
}

type chunk struct {
	data []byte
	at   time.Time
}

// delayed copies src to dst, each chunk arriving oneWay after it was read.
func delayed(dst, src net.Conn, oneWay time.Duration) {
	queue := make(chan chunk, 4096)
	go func() {
		defer close(queue)
		for {
			buf := make([]byte, 64<<10)
			n, err := src.Read(buf)
			if n > 0 {
				queue <- chunk{data: buf[:n], at: time.Now().Add(oneWay)}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range queue {
		time.Sleep(time.Until(c.at))
		if _, err := dst.Write(c.data); err != nil {
			break
		}
	}
	if tcp, ok := dst.(*net.TCPConn); ok {
		tcp.CloseWrite()
	} else {
		dst.Close()
	}
	io.Copy(io.Discard, src)
}
