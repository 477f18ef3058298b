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
type shell struct {
	ch     ssh.Channel
	client *ssh.Client
	stdin  io.WriteCloser
	out    *lineReader
	errs   *lineReader
	marker string
	pid    int // the shell's pid: its process group, to stop a command
	next   int
	queue  []int // ids of the commands sent whose ends are not read yet
	reset  bool  // a failure was read: clear failedVar with the next command
}

// lineReader reads one stream of the shell, line by line.
type lineReader struct{ r *bufio.Reader }

// startShell starts the shell; prepare runs on its session first (agent
// forwarding is asked for there). The exec request asks for no reply, so
// the first command follows it at once instead of a round trip later; a
// refused exec shows as the channel closing, which the first command sees.
func startShell(client *ssh.Client, prepare func(ssh.Channel) error) (*shell, error) {
	ch, reqs, err := client.OpenChannel("session", nil)
	if err != nil {
		return nil, err
	}
	go ssh.DiscardRequests(reqs) // exit-status and the like: the markers carry what we need
	if err := prepare(ch); err != nil {
		ch.Close()
		return nil, err
	}
	payload := ssh.Marshal(struct{ Command string }{"exec sh"})
	if _, err := ch.SendRequest("exec", false, payload); err != nil {
		ch.Close()
		return nil, err
	}
	sh, err := newShell(ch, ch, ch.Stderr())
	if err != nil {
		return nil, err
	}
	sh.ch, sh.client = ch, client
	return sh, nil
}

// newShell speaks the protocol to a running sh through its stdin, stdout
// and stderr: the session's channel, or a local sh in the tests.
func newShell(stdin io.WriteCloser, stdout, stderr io.Reader) (*shell, error) {
	token := make([]byte, 8)
	rand.Read(token)
	sh := &shell{stdin: stdin, marker: "\x1eluacap-" + hex.EncodeToString(token),
		out: &lineReader{bufio.NewReaderSize(stdout, 8<<10)}, errs: &lineReader{bufio.NewReaderSize(stderr, 8<<10)}}
	// The pid comes back ahead of the first command's output; nothing
	// waits for it now, which would cost a round trip.
	if _, err := fmt.Fprintf(stdin, "echo $$\n"); err != nil {
		return nil, err
	}
	return sh, nil
}

// greeting reads the shell's pid, before the first command's output.
func (sh *shell) greeting() error {
	if sh.pid != 0 {
		return nil
	}
	line, err := sh.out.r.ReadString('\n')
	if err != nil {
		return err
	}
	if sh.pid, err = strconv.Atoi(strings.TrimSpace(line)); err != nil {
		return fmt.Errorf("unexpected shell greeting %q", line)
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

// send writes one command to the shell without waiting for its end.
func (sh *shell) send(cmd string, always bool) error {
	sh.next++
	if _, err := io.WriteString(sh.stdin, sh.script(sh.next, cmd, always)); err != nil {
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

// stop kills the shell's process group, the running command with it,
// through a separate session: the shell itself is busy.
func (sh *shell) stop() {
	if sh.pid == 0 {
		sh.ch.Close()
		return
	}
	if sess, err := sh.client.NewSession(); err == nil {
		sess.Run(fmt.Sprintf("kill -TERM -- -%d 2>/dev/null", sh.pid))
		sess.Close()
	}
	sh.ch.Close()
}
