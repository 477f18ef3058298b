package backend

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
	"time"

	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/output"
)

// Session is one host's backend as the engine uses it: every command and
// transfer passes here, is printed with the host, timed, and turned into
// an error that names the host.
type Session struct {
	Host    *host.Host
	Backend Backend
	Out     *output.Output

	mu      sync.Mutex
	queue   []queued  // sent without waiting, end not read yet
	failure error     // a queued command's failure, not yet reported
	lastEnd time.Time // when the last end was read: a queued command's clock starts no earlier
}

// Run runs cmd and returns its result; a non-zero exit is a *CommandError.
func (s *Session) Run(ctx context.Context, cmd string, pty bool) (Result, error) {
	return s.RunWithInput(ctx, cmd, pty, "")
}

// RunWithInput is Run with the local file input, if any, streamed to the
// command's stdin: an upload and what to do with it in one command.
func (s *Session) RunWithInput(ctx context.Context, cmd string, pty bool, input string) (Result, error) {
	var stdin io.Reader
	if input != "" {
		s.Out.Note(output.Normal, s.Host.Name, "stdin <- "+input)
	}
	if input != "" && !s.simulated() {
		f, err := os.Open(input)
		if err != nil {
			return Result{}, s.wrap("reading "+input+" for "+cmd, err)
		}
		defer f.Close()
		stdin = ContextReader(ctx, f)
	}
	res, err := s.run(ctx, cmd, pty, stdin)
	if err != nil {
		return res, err
	}
	if !res.Simulated {
		s.Out.CommandEnd(s.Host.Name, res.Duration, res.Exit)
	}
	if res.Exit != 0 {
		return res, &CommandError{Host: s.Host.Name, Cmd: cmd, Exit: res.Exit, Stdout: res.Stdout, Stderr: res.Stderr, Cut: res.StderrCut}
	}
	return res, nil
}

// Test runs cmd and reports whether it exited zero: a non-zero exit is an
// answer, printed as "no", not a failure. Only a failure to run it is.
func (s *Session) Test(ctx context.Context, cmd string) (bool, error) {
	res, err := s.run(ctx, cmd, false, nil)
	if err != nil {
		return false, err
	}
	if !res.Simulated {
		s.Out.TestEnd(s.Host.Name, res.Duration, res.Exit == 0)
	}
	return res.Exit == 0, nil
}

// run prints cmd, streams its output with the host's prefix, and runs it,
// after the commands queued before it.
func (s *Session) run(ctx context.Context, cmd string, pty bool, stdin io.Reader) (Result, error) {
	if _, ok := s.Backend.(Local); ok { // a process each: nothing queues, no order to keep
		return s.start(ctx, cmd, pty, stdin)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, canQueue := s.Backend.(Pipeliner)
	if len(s.queue) > 0 && (!canQueue || pty || stdin != nil) {
		// Another channel would not wait for the shell: wait here.
		if err := s.drain(ctx); err != nil {
			return Result{}, err
		}
	}
	if err := s.takeFailure(ctx); err != nil {
		return Result{Skipped: true}, err
	}
	if len(s.queue) > 0 {
		return s.sendAndReceive(ctx, p, cmd)
	}
	res, err := s.start(ctx, cmd, pty, stdin)
	s.lastEnd = time.Now()
	return res, err
}

// start prints cmd and runs it, its output streamed with the host's prefix.
func (s *Session) start(ctx context.Context, cmd string, pty bool, stdin io.Reader) (Result, error) {
	name := s.Host.Name
	s.Out.CommandStart(name, cmd)
	stdout, stderr := s.Out.Writer(name, false), s.Out.Writer(name, true)
	res, err := s.Backend.Run(ctx, cmd, RunOptions{Stdout: stdout, Stderr: stderr, PTY: pty, Stdin: stdin})
	stdout.Close()
	stderr.Close()
	if err != nil {
		return res, &HostError{Host: name, Op: "running " + cmd, Err: err}
	}
	return res, nil
}

// Put writes content to path on the host.
func (s *Session) Put(ctx context.Context, content []byte, path string, mode fs.FileMode) error {
	if err := s.Sync(ctx); err != nil {
		return err
	}
	s.Out.Note(output.Normal, s.Host.Name, fmt.Sprintf("put %d bytes -> %s", len(content), path))
	return s.wrap("uploading to "+path, s.Backend.Upload(ctx, bytes.NewReader(content), path, mode))
}

// Upload sends the local file to path on the host, keeping its mode.
func (s *Session) Upload(ctx context.Context, local, path string) error {
	if err := s.Sync(ctx); err != nil {
		return err
	}
	s.Out.Note(output.Normal, s.Host.Name, fmt.Sprintf("upload %s -> %s", local, path))
	if s.simulated() { // the file to send may not exist in a dry run
		return nil
	}
	f, err := os.Open(local)
	if err != nil {
		return s.wrap("uploading "+local, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return s.wrap("uploading "+local, err)
	}
	return s.wrap("uploading "+local+" to "+path, s.Backend.Upload(ctx, f, path, info.Mode()))
}

// Download copies path on the host to the local file, keeping its mode.
func (s *Session) Download(ctx context.Context, path, local string) error {
	if err := s.Sync(ctx); err != nil {
		return err
	}
	s.Out.Note(output.Normal, s.Host.Name, fmt.Sprintf("download %s -> %s", path, local))
	if s.simulated() { // nothing to write locally in a dry run
		return nil
	}
	tmp := local + ".luacap-download"
	f, err := os.Create(tmp)
	if err != nil {
		return s.wrap("downloading "+path, err)
	}
	mode, err := s.Backend.Download(ctx, path, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, mode)
	}
	if err == nil {
		err = os.Rename(tmp, local)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return s.wrap("downloading "+path+" to "+local, err)
}

func (s *Session) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return &HostError{Host: s.Host.Name, Op: op, Err: err}
}

// simulated reports a dry run, where transfers touch no local file either.
func (s *Session) simulated() bool {
	_, ok := s.Backend.(Printer)
	return ok
}
