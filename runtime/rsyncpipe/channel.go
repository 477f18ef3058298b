package rsyncpipe

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"time"
)

// Piper runs a command in a channel of its own on an open connection,
// its streams connected as they come (netssh.Conn).
type Piper interface {
	Pipe(ctx context.Context, cmd string, stdin io.Reader, stdout, stderr io.Writer) (int, error)
}

// headerWait bounds how long a connection to the socket may take to say
// what it wants: only the helper connects, and it writes at once.
const headerWait = 30 * time.Second

// Channel serves the helper of one rsync: see wire.go.
type Channel struct {
	dir, sock, token string
	l                *net.UnixListener
	done             chan struct{}
}

// Open listens on a new socket in a directory of its own
// (mode 0700) and serves the first helper that brings the token, with p.
func Open(ctx context.Context, p Piper) (*Channel, error) {
	dir, err := os.MkdirTemp(socketParent(os.TempDir()), "luacap-rsync-")
	if err != nil {
		return nil, err
	}
	c := &Channel{dir: dir, sock: filepath.Join(dir, "s"), done: make(chan struct{})}
	if c.l, err = net.ListenUnix("unix", &net.UnixAddr{Name: c.sock, Net: "unix"}); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	var tok [16]byte
	rand.Read(tok[:])
	c.token = hex.EncodeToString(tok[:])
	go c.serve(ctx, p)
	return c, nil
}

// maxSocketPath is the longest path Linux takes for a unix socket
// (sun_path is 108 bytes with its NUL).
const maxSocketPath = 107

// socketParent is where the socket's directory goes: TMPDIR, unless a
// socket there would pass the limit, then /tmp, so that a long TMPDIR
// does not quietly send every rsync through a new ssh process.
func socketParent(tmp string) string {
	if abs, err := filepath.Abs(tmp); err == nil { // rsync's helper may run elsewhere
		tmp = abs
	}
	if len(filepath.Join(tmp, "luacap-rsync-0123456789", "s")) > maxSocketPath {
		return "/tmp"
	}
	return tmp
}

// serve accepts connections until one with the token has been served,
// or the listener is closed.
func (c *Channel) serve(ctx context.Context, p Piper) {
	defer close(c.done)
	for {
		conn, err := c.l.Accept()
		if err != nil {
			return
		}
		if c.handle(ctx, conn, p) {
			return
		}
	}
}

// handle runs the helper's command and reports whether it had the token.
func (c *Channel) handle(ctx context.Context, conn net.Conn, p Piper) bool {
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(headerWait))
	in := bufio.NewReader(conn)
	line, err := in.ReadBytes('\n')
	var req request
	if err != nil || json.Unmarshal(line, &req) != nil || req.Token != c.token {
		return false
	}
	conn.SetReadDeadline(time.Time{})
	out := &frameWriter{w: conn}
	code, err := p.Pipe(ctx, string(req.Command), in, out.stream(frameStdout), out.stream(frameStderr))
	if err != nil {
		out.frame(frameError, []byte(err.Error()))
		return true
	}
	var status [4]byte
	binary.BigEndian.PutUint32(status[:], uint32(code))
	out.frame(frameExit, status[:])
	return true
}

// Sock is the socket's path: the helper's first argument.
func (c *Channel) Sock() string { return c.sock }

// Token is what the helper must bring: rsync passes it in the host's place.
func (c *Channel) Token() string { return c.token }

// Close stops listening, waits for the command it serves, if any, and
// removes the socket.
func (c *Channel) Close() {
	c.l.Close()
	<-c.done
	os.RemoveAll(c.dir)
}
