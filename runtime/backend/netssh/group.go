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
)

// group is a remote command's process group, known once the program that
// runs it has written the group's id, its pid (pidLine). Stopping a
// command kills the group through a second session: sshd refuses the
// "signal" request where it cannot send it (a root login: "session
// signalling requires privilege separation"), and a command that ignores
// the end of its input would run on after the channel closed.
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

// killWait bounds how long a stop waits for the host to start the kill:
// over a connection that no longer answers it never would.
const killWait = 2 * time.Second

// killScript is what the kill runs on the host: SIGTERM to the group,
// then SIGKILL to what is left of it after 2 s, as a local command gets
// after its grace; a command that ignores SIGTERM would keep its channel
// open. It looks every 0.1 s (every second where sleep takes no
// fraction), so that it ends soon after the group. "kill -s SIG --" is
// the form every sh reads: dash's kill takes no "--" after -TERM.
const killScript = `kill -s TERM -- -%[1]d 2>/dev/null || exit 0
i=0
while kill -s 0 -- -%[1]d 2>/dev/null; do
	if [ $i -ge 20 ]; then kill -s KILL -- -%[1]d 2>/dev/null; exit; fi
	sleep 0.1 2>/dev/null || { sleep 1; i=$((i + 9)); }
	i=$((i + 1))
done`

// endWait bounds how long a stop waits for the command's end once the
// kill has started: the grace, and a second for SIGKILL's effect to come
// back. A process that left the group may hold the channel open longer.
const endWait = 3 * time.Second

// kill starts killScript on the host through a new session on client,
// once the pid is known or pidWait has passed, and reports whether it
// started within killWait. Once started it goes on by itself on the
// host, though luacap exits.
func (g *group) kill(newSession sessionOpener) bool {
	select {
	case <-g.known:
	case <-time.After(pidWait):
	}
	pid := g.pid.Load()
	if pid == 0 { // not started, or its pid never came
		return false
	}
	started := make(chan bool, 1)
	go func() {
		sess, err := newSession()
		if err != nil {
			started <- false
			return
		}
		defer sess.Close()
		err = sess.Start(command.StartSh(command.PrintfFormat(fmt.Sprintf(killScript, pid))))
		started <- err == nil
		if err == nil {
			sess.Wait()
		}
	}()
	ok, _ := within(started, killWait)
	return ok
}

// stop stops the group's command, whose end is to come on end:
// SIGTERM, then SIGKILL after the grace (killScript), and closeChannel.
// ok is false when the end did not come within endWait, or at once when
// the host did not start the kill: it no longer answers, and should not
// hold a stop (nor a second Ctrl-C). What the command wrote is then not
// to be read: its streams may still be copied.
func stop[T any](g *group, newSession sessionOpener, closeChannel func(), end <-chan T) (v T, ok bool) {
	pidKnown := g.pid.Load() != 0
	started := g.kill(newSession)
	closeChannel()
	if pidKnown && !started {
		return v, false
	}
	return within(end, endWait)
}

// within waits at most d for a value on c.
func within[T any](c <-chan T, d time.Duration) (v T, ok bool) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case v = <-c:
		return v, true
	case <-t.C:
		return v, false
	}
}

// pidLine is the sh that writes a program's process group ahead of its
// command's output, on a line of its own that starts with pidMark: the
// fifth field of /proc/$$/stat, where there is one, else $$, which sshd
// makes a group's leader. A ForceCommand that runs the command without
// exec makes it a child in the session's group. The lines before it were
// printed by the user's rc files, which the login shell reads for every
// command sshd runs (zsh's .zshenv, csh's .cshrc, fish's config.fish,
// bash's .bashrc): they are no command's output, and a number among
// them names no group to kill.
const pidLine = `__luacap_g=$$; { read -r __luacap_p __luacap_c __luacap_s __luacap_pp __luacap_g __luacap_r </proc/$$/stat; } 2>/dev/null
printf '\036luacap-pid %s\n' "$__luacap_g"; unset __luacap_p __luacap_c __luacap_s __luacap_pp __luacap_g __luacap_r`

// pidMark starts what pidLine writes: at the start of a line, or after
// what an rc file printed without a new line.
const pidMark = "\x1eluacap-pid "

// maxPidLine bounds what pidTaker keeps of a line: the mark and a pid.
const maxPidLine = len(pidMark) + 20

// output is w, with the pid line taken off it into g where the program
// writes one (isReady).
func (g *group) output(w io.Writer, isReady bool) io.Writer {
	if !isReady {
		return w
	}
	return &pidTaker{g: g, w: w}
}

// pidTaker takes the pid line (pidLine) off a command's stdout into g,
// drops what comes ahead of it, and passes the rest on to w.
type pidTaker struct {
	g    *group
	w    io.Writer
	line []byte // what of the current line may hold the mark and a pid
	done bool
}

func (p *pidTaker) Write(b []byte) (int, error) {
	n := len(b)
	for !p.done && len(b) > 0 {
		end := bytes.IndexByte(b, '\n')
		if end < 0 {
			p.keep(b)
			return n, nil
		}
		p.keep(b[:end])
		if i := bytes.Index(p.line, []byte(pidMark)); i >= 0 {
			pid, _ := strconv.Atoi(string(p.line[i+len(pidMark):]))
			p.g.set(pid)
			p.done = true
		}
		p.line, b = p.line[:0], b[end+1:]
	}
	if len(b) == 0 {
		return n, nil
	}
	if _, err := p.w.Write(b); err != nil {
		return 0, err
	}
	return n, nil
}

// keep adds b to the current line, of which it keeps at most maxPidLine
// bytes: from the mark on, or else the end a mark split across writes
// may start in.
func (p *pidTaker) keep(b []byte) {
	p.line = append(p.line, b...)
	if len(p.line) <= maxPidLine {
		return
	}
	from := len(p.line) - (len(pidMark) - 1)
	if i := bytes.Index(p.line, []byte(pidMark)); i >= 0 {
		from = i
	}
	p.line = append(p.line[:0], p.line[from:min(len(p.line), from+maxPidLine)]...)
}
