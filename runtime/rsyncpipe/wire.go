// Package rsyncpipe is how rsync reaches a host over luacap's own SSH
// connection: a private socket the running luacap serves, and the helper
// (luacap itself, as rsync's remote shell) that pipes rsync through it.
package rsyncpipe

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
)

// The rsync channel: rsync() runs the system rsync with luacap itself as
// its remote shell (-e "luacap ShellArg SOCKET"). rsync starts that
// helper as it would start ssh: `luacap ShellArg SOCKET TOKEN rsync
// --server ...`. The helper connects to SOCKET, which the running luacap
// serves for this one rsync, sends the token and the command on one
// line, then its stdin as it comes; luacap runs the command in an exec
// channel on the host's open connection and sends back frames: stdout,
// stderr, and last the exit status (or why the command could not run).
// The socket lives in a directory only this user can enter, and serves
// one connection with the right token.

// ShellArg, as luacap's first argument, runs the helper.
const ShellArg = "__rsync-shell"

// Frame kinds sent from luacap to the helper.
const (
	frameStdout = 'o'
	frameStderr = 'e'
	frameExit   = 'x' // payload: the exit status, 4 bytes big-endian
	frameError  = '!' // payload: why the command could not run
)

// maxFrame bounds one frame's payload: a reader trusts no bigger length.
const maxFrame = 64 << 10

// frameWriter writes frames to w, one at a time: stdout and stderr are
// copied by two goroutines.
type frameWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (f *frameWriter) frame(kind byte, p []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	var head [5]byte
	head[0] = kind
	binary.BigEndian.PutUint32(head[1:], uint32(len(p)))
	if _, err := f.w.Write(head[:]); err != nil {
		return err
	}
	_, err := f.w.Write(p)
	return err
}

// stream is one of the command's streams, as an io.Writer of frames.
func (f *frameWriter) stream(kind byte) io.Writer {
	return writerFunc(func(p []byte) (int, error) {
		for rest := p; len(rest) > 0; {
			n := min(len(rest), maxFrame)
			if err := f.frame(kind, rest[:n]); err != nil {
				return 0, err
			}
			rest = rest[n:]
		}
		return len(p), nil
	})
}

type writerFunc func([]byte) (int, error)

func (w writerFunc) Write(p []byte) (int, error) { return w(p) }

// readFrame reads one frame.
func readFrame(r io.Reader, buf []byte) (byte, []byte, error) {
	var head [5]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return 0, nil, err
	}
	n := binary.BigEndian.Uint32(head[1:])
	if n > maxFrame {
		return 0, nil, fmt.Errorf("a frame of %d bytes from luacap; the helper and luacap do not match", n)
	}
	if _, err := io.ReadFull(r, buf[:n]); err != nil {
		return 0, nil, errors.New("luacap closed the rsync channel mid-frame")
	}
	return head[0], buf[:n], nil
}
