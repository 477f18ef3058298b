package netssh

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/luacap/luacap/runtime/command"
	"golang.org/x/crypto/ssh"
)

// group is a remote command's process group, known once the program that
// runs it has written its pid ($$: sshd starts every session's command as
// a session and group leader). Stopping a command kills the group through
// a second session: sshd refuses the "signal" request where it cannot
// send it (a root login: "session signalling requires privilege
// separation"), and a command that ignores the end of its input would
// run on after the channel closed.
type group struct {
	pid   atomic.Int64
	known chan struct{} // closed once pid is set
	once  sync.Once
}

func newGroup() *group { return &group{known: make(chan struct{})} }

// set records the pid; the first one counts. 0 and 1 are no command's
// group: "kill -- -1" would signal every process the user may.
func (g *group) set(pid int) {
	if pid <= 1 {
		return
	}
	g.once.Do(func() {
		g.pid.Store(int64(pid))
		close(g.known)
	})
}

// pidWait bounds how long a stop waits for the pid, which comes ahead of
// any output; a command never started sends none.
const pidWait = 500 * time.Millisecond

// killWait bounds how long a stop waits for the kill to be done: over a
// connection that no longer answers it would never be.
const killWait = 2 * time.Second

// kill stops the group through a new session on client, once its pid
// is known or pidWait has passed, and reports whether it sent the kill.
// "kill -s TERM --" is the form every sh reads: dash's kill takes no
// "--" after -TERM.
func (g *group) kill(client *ssh.Client) bool {
	select {
	case <-g.known:
	case <-time.After(pidWait):
	}
	pid := g.pid.Load()
	if pid == 0 { // not started, or its pid never came
		return false
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if sess, err := client.NewSession(); err == nil {
			sess.Run(command.StartSh(command.PrintfFormat(fmt.Sprintf("kill -s TERM -- -%d 2>/dev/null", pid))))
			sess.Close()
		}
	}()
	select {
	case <-done:
	case <-time.After(killWait):
	}
	return true
}

// pidTaker takes the first line of a command's stdout, the pid its
// program wrote ahead of the command's output, into g, and passes the
// rest on to w.
type pidTaker struct {
	g    *group
	w    io.Writer
	line []byte
	done bool
}

func (p *pidTaker) Write(b []byte) (int, error) {
	n := len(b)
	if !p.done {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			p.line = append(p.line, b...)
			return n, nil
		}
		p.line, p.done = append(p.line, b[:i]...), true
		if pid, err := strconv.Atoi(string(p.line)); err == nil {
			p.g.set(pid)
		}
		if b = b[i+1:]; len(b) == 0 {
			return n, nil
		}
	}
	if _, err := p.w.Write(b); err != nil {
		return 0, err
	}
	return n, nil
}
