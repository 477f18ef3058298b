package backend

import (
	"context"
	"time"

	"github.com/luacap/luacap/runtime/output"
)

// queued is a command sent without waiting for its end.
type queued struct {
	cmd  string
	task string // who sent it, for the error
	sent time.Time
}

// Send queues cmd on the host without waiting for its end when the
// backend can, and otherwise runs it now. A failure of a queued command
// is returned by the host's next command that waits, or by Sync, and the
// host runs nothing guarded after it. task names the sender in that error.
func (s *Session) Send(ctx context.Context, cmd, task string) error {
	sent, err := s.enqueue(ctx, cmd, task)
	if err != nil || sent {
		return err
	}
	_, err = s.Run(ctx, cmd, false)
	return err
}

// enqueue queues cmd if the backend can take it now.
func (s *Session) enqueue(ctx context.Context, cmd, task string) (sent bool, err error) {
	p, ok := s.Backend.(Pipeliner)
	if !ok {
		return false, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.takeFailure(ctx); err != nil {
		return false, err
	}
	if sent, err = p.Send(ctx, cmd, isCleanup(ctx)); err != nil {
		s.queue = nil
		return false, &HostError{Host: s.Host.Name, Op: "sending " + cmd, Err: err}
	}
	if sent {
		s.Out.CommandStart(s.Host.Name, cmd)
		s.queue = append(s.queue, queued{cmd: cmd, task: task, sent: time.Now()})
	}
	return sent, nil
}

// Sync waits for the host's queued commands and returns the first that
// failed, if it was not reported yet.
func (s *Session) Sync(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.drain(ctx); err != nil {
		return err
	}
	return s.takeFailure(ctx)
}

// sendAndReceive queues cmd behind the others, so it costs no round trip
// of its own, then reads every end up to its own.
func (s *Session) sendAndReceive(ctx context.Context, p Pipeliner, cmd string) (Result, error) {
	name := s.Host.Name
	if _, err := p.Send(ctx, cmd, isCleanup(ctx)); err != nil {
		s.queue = nil
		return Result{}, &HostError{Host: name, Op: "sending " + cmd, Err: err}
	}
	sent := time.Now()
	if err := s.drain(ctx); err != nil { // the shell is gone, cmd with it
		return Result{}, err
	}
	s.Out.CommandStart(name, cmd)
	stdout, stderr := s.Out.Writer(name, false), s.Out.Writer(name, true)
	res, err := p.Receive(ctx, stdout, stderr)
	stdout.Close()
	stderr.Close()
	res.Duration = s.clock(sent)
	if err != nil {
		return res, &HostError{Host: name, Op: "running " + cmd, Err: err}
	}
	if res.Skipped {
		s.Out.Note(output.Normal, name, "skipped: a command before it failed")
		return res, s.takeFailure(ctx)
	}
	return res, nil
}

// drain reads the ends of the queued commands, prints them, and keeps the
// first failure. Only a failure to read them is returned.
func (s *Session) drain(ctx context.Context) error {
	p, _ := s.Backend.(Pipeliner)
	for len(s.queue) > 0 {
		q := s.queue[0]
		stdout, stderr := s.Out.Writer(s.Host.Name, false), s.Out.Writer(s.Host.Name, true)
		res, err := p.Receive(ctx, stdout, stderr)
		stdout.Close()
		stderr.Close()
		if err != nil {
			s.queue = nil
			return &HostError{Host: s.Host.Name, Op: "running " + q.cmd, Err: err}
		}
		s.queue = s.queue[1:]
		s.report(q, res)
	}
	return nil
}

// report prints how a queued command ended and keeps its failure.
func (s *Session) report(q queued, res Result) {
	name := s.Host.Name
	d := s.clock(q.sent)
	if res.Skipped {
		s.Out.Note(output.Normal, name, "skipped: a command before it failed: "+q.cmd)
	} else {
		s.Out.QueuedEnd(name, q.task, d, res.Exit, q.cmd)
	}
	if res.Exit != 0 && s.failure == nil {
		s.failure = &CommandError{Host: name, Cmd: q.cmd, Exit: res.Exit, Stdout: res.Stdout, Stderr: res.Stderr, Cut: res.StderrCut, SentBy: q.task}
	}
}

// clock is a queued command's time: from when it was sent or the end of
// the one before it, whichever is later, to now.
func (s *Session) clock(sent time.Time) time.Duration {
	now := time.Now()
	start := sent
	if s.lastEnd.After(start) {
		start = s.lastEnd
	}
	s.lastEnd = now
	return now.Sub(start)
}

// takeFailure returns the kept failure once; cleanup work leaves it for
// the Sync that follows.
func (s *Session) takeFailure(ctx context.Context) error {
	if isCleanup(ctx) || s.failure == nil {
		return nil
	}
	err := s.failure
	s.failure = nil
	return err
}
