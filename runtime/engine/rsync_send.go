package engine

import (
	"context"
	"os"

	"github.com/luacap/luacap/runtime/backend"
	"github.com/luacap/luacap/runtime/command"
	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/output"
	"github.com/luacap/luacap/runtime/rsyncpipe"
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
	if r.host.Transport != "local" && !e.opts.DryRun {
		line, ch, why := e.rsyncOverConnection(ctx, r)
		if ch != nil {
			defer ch.Close()
			e.out.Note(output.Verbose, r.host.Name, "rsync over luacap's connection to "+r.host.Name)
			return e.runLocal(ctx, r.host, line)
		}
		e.out.Note(output.Verbose, r.host.Name, "rsync over a new ssh process: "+why)
	}
	if r.fallbackErr != nil {
		return r.fallbackErr
	}
	return e.runLocal(ctx, r.host, r.fallback)
}

// rsyncOverConnection opens the channel for r and returns the rsync
// command that uses it, or why it cannot be used.
func (e *Engine) rsyncOverConnection(ctx context.Context, r rsyncSend) (string, *rsyncpipe.Channel, string) {
	self, err := os.Executable()
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
	src, dst := rsyncPaths(r.src, r.dst)
	words := append([]string{"rsync"}, r.flags...)
	words = append(words, "-z", "-e", command.Join([]string{self, rsyncpipe.ShellArg, ch.Sock()}), src, ch.Token()+":"+dst)
	return command.Join(words), ch, ""
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
