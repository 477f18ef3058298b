package netssh

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/crypto/ssh"

	"github.com/luacap/luacap/runtime/command"
)

// shell is one long-lived sh on the host that runs luacap's commands one
// after another: a command costs one round trip instead of the three of
// a new exec session (open the channel, send exec, read the end). Each
// command runs in a subshell, so cd and export do not leak, and is
// followed by an end marker on stdout (with its exit status) and on
// stderr, so output, status and timing stay per command.
//
// The commands sent before the first end is read (a deploy's check and
// lock) travel in the exec request that starts the shell: a session
// channel takes no input until the server has started its command, a
// round trip after the exec request, so commands written to stdin would
// wait for that. The shell runs them, then reads the rest from stdin.
type shell struct {
	ch     ssh.Channel
	client *ssh.Client
	stdin  io.WriteCloser
	out    *lineReader
	errs   *lineReader
	marker string
	group  *group              // the shell's process group, to stop a command; stop reads it while receive sets it
	gone   <-chan *ssh.Request // closed once the server has closed the channel; nothing is sent on it
	// newSession opens the session that stops a command; the Conn's
	// makes room for it (withRoom).
	newSession sessionOpener
	next       int
	queue      []int // ids of the commands sent whose ends are not read yet
	reset      bool  // a failure was read: clear failedVar with the next command

	start   func(cmd string) error // sends the exec request; nil once sent
	first   strings.Builder        // the commands that go with it, as printf's format
	handOff bool                   // the next command on stdin first takes the failure state the first ones left
}

// maxFirst bounds the commands sent in the exec request, written as
// printf's format, well below Linux's 128 KiB limit on one argument; a
// command that would pass it starts the shell and goes to its stdin, as
// does one with a NUL byte, which would end the argument there.
const maxFirst = 32 << 10

// lineReader reads one stream of the shell, line by line.
type lineReader struct{ r *bufio.Reader }

// startShell opens the shell's session; prepare runs on it first (agent
// forwarding is asked for there). The shell starts with the first end
// read, its first commands in its exec request; the request asks for no
// reply, and a refused exec shows as the channel closing, which the first
// command sees.
func startShell(client *ssh.Client, prepare func(ssh.Channel) error) (*shell, error) {
	ch, reqs, err := client.OpenChannel("session", nil)
	if err != nil {
		return nil, err
	}
	gone := make(chan *ssh.Request)
	go func() { ssh.DiscardRequests(reqs); close(gone) }() // exit-status and the like: the markers carry what we need
	if err := prepare(ch); err != nil {
		ch.Close()
		return nil, err
	}
	sh := newShell(ch, ch, ch.Stderr(), func(cmd string) error {
		_, err := ch.SendRequest("exec", false, ssh.Marshal(struct{ Command string }{cmd}))
		return err
	})
	sh.ch, sh.client, sh.newSession, sh.gone = ch, client, client.NewSession, gone
	return sh, nil
}

// newShell speaks the protocol to a sh that start starts with the
// command it is given, reading the rest from stdin: the session's channel,
// or a local sh in the tests.
func newShell(stdin io.WriteCloser, stdout, stderr io.Reader, start func(cmd string) error) *shell {
	token := make([]byte, 8)
	rand.Read(token)
	return &shell{stdin: stdin, marker: "\x1eluacap-" + hex.EncodeToString(token), start: start, group: newGroup(),
		out: &lineReader{bufio.NewReaderSize(stdout, 8<<10)}, errs: &lineReader{bufio.NewReaderSize(stderr, 8<<10)}}
}

// begin starts the shell, once, with the commands sent so far. Its pid
// comes first, ahead of their output; then sh execs a sh that reads
// stdin, handing it the failure state as its argument.
func (sh *shell) begin() error {
	if sh.start == nil {
		return nil
	}
	start := sh.start
	sh.start, sh.handOff = nil, true
	script := command.PrintfFormat(pidLine+"\n") + sh.first.String() + command.PrintfFormat(fmt.Sprintf(`exec sh -s -- "${%s-}"`, failedVar))
	sh.first.Reset()
	return start(command.StartSh(script))
}

// greeting reads the shell's pid, before the first command's output,
// past the lines the user's rc files printed ahead of it (pidLine).
func (sh *shell) greeting() error {
	for sh.group.pid.Load() == 0 {
		line, err := sh.out.r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			continue // a long line of the rc files'
		}
		if err != nil {
			return err
		}
		if i := bytes.Index(line, []byte(pidMark)); i >= 0 {
			pid, err := strconv.Atoi(strings.TrimSpace(string(line[i+len(pidMark):])))
			if err != nil || pid <= 1 {
				return fmt.Errorf("unexpected shell greeting %q", line)
			}
			sh.group.set(pid)
		}
	}
	return nil
}

// failedVar is set in the shell when a guarded command fails; guarded
// commands after it are skipped until luacap, having read the failure,
// clears it. Commands run in subshells and cannot change it.
const failedVar = "__luacap_failed"

// script is what the shell reads for one command: the command in a
// subshell, then its end marker with the exit status, or "skip" for a
// guarded command after a failure.
func (sh *shell) script(id int, cmd string, always bool) string {
	end := command.Quote(fmt.Sprintf("%s:%d", sh.marker, id))
	run := fmt.Sprintf("( eval %s ) </dev/null; __luacap_s=$?", command.Quote(cmd))
	if !always {
		run = fmt.Sprintf("if [ -z \"${%[1]s-}\" ]; then %[2]s; [ $__luacap_s = 0 ] || %[1]s=1; else __luacap_s=skip; fi",
			failedVar, run)
	}
	clear := ""
	if sh.reset && len(sh.queue) == 0 { // every end before this one has been read
		clear, sh.reset = failedVar+"=; ", false
	}
	return fmt.Sprintf("%s%s; printf '\\n%%s %%s\\n' %s \"$__luacap_s\"; printf '\\n%%s\\n' %s >&2\n",
		clear, run, end, end)
}

// send writes one command to the shell without waiting for its end: into
// the exec request while the shell has not started, else to its stdin.
func (sh *shell) send(cmd string, always bool) error {
	sh.next++
	text := sh.script(sh.next, cmd, always)
	if format := command.PrintfFormat(text); sh.start != nil && sh.first.Len()+len(format) <= maxFirst && strings.IndexByte(text, 0) < 0 {
		sh.first.WriteString(format)
		sh.queue = append(sh.queue, sh.next)
		return nil
	}
	if err := sh.begin(); err != nil {
		return err
	}
	if sh.handOff {
		text = fmt.Sprintf("%s=${1-}; set --\n", failedVar) + text
		sh.handOff = false
	}
	if _, err := io.WriteString(sh.stdin, text); err != nil {
		return err
	}
	sh.queue = append(sh.queue, sh.next)
	return nil
}

// receive reads the end of the oldest command sent, streaming its output
// to stdout and stderr.
func (sh *shell) receive(stdout, stderr io.Writer) (exit int, skipped bool, err error) {
	if len(sh.queue) == 0 {
		return 0, false, errors.New("no command to wait for")
	}
	if err := sh.begin(); err != nil {
		return 0, false, err
	}
	if err := sh.greeting(); err != nil {
		return 0, false, err
	}
	end := fmt.Sprintf("%s:%d", sh.marker, sh.queue[0])
	sh.queue = sh.queue[1:]
	var wg sync.WaitGroup
	var errErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, errErr = sh.errs.until(end, stderr)
	}()
	rest, outErr := sh.out.until(end, stdout)
	wg.Wait()
	if outErr != nil {
		return 0, false, outErr
	}
	if errErr != nil {
		return 0, false, errErr
	}
	status := strings.TrimSpace(rest)
	if status == "skip" {
		return 0, true, nil
	}
	if exit, err = strconv.Atoi(status); err != nil {
		return 0, false, fmt.Errorf("unexpected end marker %q", rest)
	}
	if exit != 0 {
		sh.reset = true
	}
	return exit, false, nil
}

// until copies lines to w until the marker line, and returns what follows
// the marker on its line. The newline the marker's printf put before it
// is not the command's and is dropped. A line longer than the reader's
// buffer is passed on in pieces, never held whole; the marker always
// starts a line, so only a line's first piece is compared with it.
func (l *lineReader) until(marker string, w io.Writer) (string, error) {
	pendingNL, atStart := false, true
	for {
		chunk, err := l.r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			if pendingNL {
				w.Write([]byte("\n"))
				pendingNL = false
			}
			w.Write(chunk)
			atStart = false
			continue
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return "", io.ErrUnexpectedEOF
			}
			return "", err
		}
		body := bytes.TrimSuffix(chunk, []byte("\n"))
		if rest, ok := bytes.CutPrefix(body, []byte(marker)); atStart && ok && (len(rest) == 0 || rest[0] == ' ') {
			return string(rest), nil
		}
		if pendingNL {
			w.Write([]byte("\n"))
		}
		w.Write(body)
		pendingNL, atStart = true, true
	}
}

// stop stops the shell's process group, the running command with it,
// through a separate session (the shell itself is busy), and waits a
// bounded time for receive's end on done (stop).
func (sh *shell) stop(done <-chan outcome) (outcome, bool) {
	return stop(sh.group, sh.newSession, func() { sh.ch.Close() }, done)
}
