package engine

import (
	"context"
	"errors"
	"os"
	"strconv"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/backend"
	"github.com/luacap/luacap/runtime/command"
	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/luaval"
	"github.com/luacap/luacap/runtime/output"
	"github.com/luacap/luacap/runtime/rsyncpipe"
	"github.com/luacap/luacap/runtime/sched"
)

// channelPreparer opens the channel for the next Pipe ahead.
type channelPreparer interface{ PrepareChannel(ctx context.Context) }

// rsyncSend is one rsync() call: what to send where, and the rsync
// command line over a new ssh process, for when luacap's own connection
// cannot carry it.
type rsyncSend struct {
	host        *host.Host
	flags       []string
	src, dst    string
	fallback    string
	fallbackErr error
}

// sendRsync runs rsync on this machine. To an ssh host it goes over the
// host's open connection (rsync's remote shell is luacap's helper, see
// runtime/rsyncpipe): no new process, no new handshake. Where that cannot
// work, it runs with the derived `-e ssh ...`; -v says which.
func (e *Engine) sendRsync(ctx context.Context, r rsyncSend) error {
	line, note, closer, err := e.rsyncLine(ctx, r)
	defer closer()
	if note != "" {
		e.out.Note(output.Verbose, r.host.Name, note)
	}
	if err != nil {
		return err
	}
	return e.runLocal(ctx, r.host, line)
}

// rsyncLine is the rsync command line for r, a note saying how it
// reaches the host, and what to close once it has run.
func (e *Engine) rsyncLine(ctx context.Context, r rsyncSend) (line, note string, closer func(), err error) {
	closer = func() {}
	if r.host.Transport != "local" && !e.opts.DryRun {
		line, ch, why := e.rsyncOverConnection(ctx, r)
		if ch != nil {
			return line, "rsync over luacap's connection to " + r.host.Name, ch.Close, nil
		}
		note = "rsync over a new ssh process: " + why
	}
	if r.fallbackErr != nil {
		return "", note, closer, r.fallbackErr
	}
	return r.fallback, note, closer, nil
}

// sendSlot waits until fewer than --max-hosts background sends run, and
// returns what gives the slot back.
func (e *Engine) sendSlot(ctx context.Context) (func(), error) {
	if e.sendSlots == nil {
		return func() {}, nil
	}
	select {
	case e.sendSlots <- struct{}{}:
		return func() { <-e.sendSlots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// startRsync starts r in the background and returns its job's number for
// raw.wait_local. It does not wait for what a pipelined task queued on
// the host: it is for a place those commands do not touch. With after, a
// job, it starts once that one has ended well, and fails, sending
// nothing, if it did not.
func (e *Engine) startRsync(L *lua.LState, r rsyncSend, after *localJob) int {
	name := r.host.Name
	ctx, cancel := context.WithCancel(e.ctx)
	job := &localJob{done: make(chan struct{}), cancel: cancel, cmd: r.fallback, task: e.running.name(), host: name,
		explain: func(err error) error {
			if errors.Is(err, errNoRsyncHere) { // not the host's: this machine's
				return errNoRsyncHere
			}
			return explainRsync(name, err)
		}}
	id := e.jobs.add(job)
	if e.opts.DryRun { // printed in order
		return e.sched.Await(L, func(ctx context.Context) (sched.Deliver, error) {
			defer close(job.done)
			job.printed.Do(func() {})
			job.err = e.sendRsync(ctx, r)
			return deliver(lua.LNumber(id)), job.err
		})
	}
	go func() {
		defer close(job.done)
		_ = e.onHost(ctx, r.host, func(ctx context.Context, s *backend.Session) error {
			if p, ok := s.Backend.(channelPreparer); ok {
				p.PrepareChannel(ctx) // while the job it follows runs
			}
			return nil
		})
		if job.err = stopped(ctx, after.ended(ctx)); job.err != nil {
			return
		}
		if job.err = e.rsyncHere(); job.err != nil {
			return
		}
		release, err := e.sendSlot(ctx) // at most --max-hosts at once, as in the foreground
		if job.err = stopped(ctx, err); job.err != nil {
			return
		}
		defer release()
		line, note, closer, err := e.rsyncLine(ctx, r)
		defer closer()
		job.note = note
		if err != nil {
			job.err = err
			return
		}
		job.cmd = line
		job.res, job.err = backend.Local{}.Run(ctx, line, backend.RunOptions{})
		job.err = stopped(ctx, job.err)
	}()
	return luaval.Push(L, lua.LTrue, lua.LNumber(id))
}

// rsyncOverConnection opens the channel for r and returns the rsync
// command that uses it, or why it cannot be used.
func (e *Engine) rsyncOverConnection(ctx context.Context, r rsyncSend) (string, *rsyncpipe.Channel, string) {
	self, err := selfBinary()
	if err != nil {
		return "", nil, "luacap cannot find its own binary (" + err.Error() + ")"
	}
	s, err := e.pool.Session(ctx, r.host)
	if err != nil {
		return "", nil, err.Error()
	}
	p, ok := s.Backend.(rsyncpipe.Piper)
	if !ok {
		return "", nil, "the host's transport cannot open a channel for it"
	}
	ch, err := rsyncpipe.Open(ctx, p)
	if err != nil {
		return "", nil, "no socket for the helper (" + err.Error() + ")"
	}
	src, dst := rsyncPaths(r.src, inHome(r.dst))
	words := append(rsyncProgram(), r.flags...)
	// -s: the names go in rsync's protocol, where sh cannot change them
	// (rsync escapes a new line in them with a backslash, which sh drops).
	words = append(words, "-s", "--rsync-path="+remoteRsync(dst), "-z", "-e", command.RsyncShell([]string{self, rsyncpipe.ShellArg, ch.Sock()}), src, ch.Token()+":"+dst)
	return command.Join(words), ch, ""
}

// selfBinary is the program rsync runs as its remote shell: this very
// binary, by its path while that path still holds it. Once the path no
// longer does (the binary removed, or replaced by an upgrade while the
// deploy runs), /proc/PID/exe still is this binary, where there is a /proc.
func selfBinary() (string, error) {
	self, err := os.Executable()
	proc := "/proc/" + strconv.Itoa(os.Getpid()) + "/exe"
	running, perr := os.Stat(proc)
	if perr != nil {
		return self, err
	}
	if onDisk, serr := os.Stat(self); err == nil && serr == nil && os.SameFile(onDisk, running) {
		return self, nil
	}
	return proc, nil
}

// runLocal runs line on this machine for h: printed and timed under h's
// name, in a session of its own, so rsyncs to several hosts run at once.
func (e *Engine) runLocal(ctx context.Context, h *host.Host, line string) error {
	if e.opts.DryRun { // printed in order, through the one local session
		return e.onHost(ctx, e.localHost, func(ctx context.Context, s *backend.Session) error {
			_, err := s.Run(ctx, line, false)
			return err
		})
	}
	local := &host.Host{Name: h.Name, Hostname: "localhost", Transport: "local", Props: map[string]any{}}
	_, err := (&backend.Session{Host: local, Backend: backend.Local{}, Out: e.out}).Run(ctx, line, false)
	return err
}
