package engine

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/backend"
	"github.com/luacap/luacap/runtime/command"
	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/luaval"
	"github.com/luacap/luacap/runtime/sched"
)

// raw.rsync(local_dir, remote_dir, [{delete=true, exclude={...}, link_dest=dir}]) copies
// the contents of local_dir into remote_dir on this on() block's host with
// the system rsync, over the host's open connection (rsync_send.go).
// remote_dir is made if need be. Only changed files travel; with delete
// (the default), files not in local_dir are removed from remote_dir. With
// link_dest, an absolute directory on the host, a file that is there with
// the same content is hard-linked from it instead of sent: a new release's
// copy of a set that mostly did not change costs the changed files only.
func (e *Engine) rawRsync(L *lua.LState) int {
	f := e.sched.FiberOf(L)
	if f == nil {
		return luaval.Fail(L, "rsync() copies to one host at a time: call it inside on()")
	}
	args, err := luaval.StringArgs(L, "rsync", "the local directory", "the remote directory")
	if err != nil {
		return luaval.Fail(L, "%v", err)
	}
	args[0] = e.p.LocalPath(args[0]) // as the Deployfile means it
	optsTable, _ := L.Get(3).(*lua.LTable)
	o, err := luaval.Options(L, optsTable, "rsync()", "delete", "exclude", "link_dest", "background", "after")
	if err != nil {
		return luaval.Fail(L, "%v", err)
	}
	// The whole file list goes first: rsync's incremental recursion costs a
	// round trip more, for nothing with the few directories of a deploy.
	flags := []string{"-a", "--checksum", "--no-inc-recursive"}
	if v, ok := o["delete"]; !ok || lua.LVAsBool(v) {
		flags = append(flags, "--delete")
	}
	excludes, err := luaval.StringList(luaval.OptOr(o, "exclude"), "rsync() exclude")
	if err != nil {
		return luaval.Fail(L, "%v", err)
	}
	for _, x := range excludes {
		flags = append(flags, "--exclude="+x)
	}
	switch v := luaval.OptOr(o, "link_dest").(type) {
	case *lua.LNilType:
	case lua.LString:
		if !strings.HasPrefix(string(v), "/") {
			return luaval.Fail(L, "rsync() link_dest %q: give an absolute directory on the host", string(v))
		}
		flags = append(flags, "--link-dest="+string(v))
	default:
		return luaval.Fail(L, "rsync() link_dest: an absolute directory on the host, not a %s", v.Type())
	}
	// The fallback is made here, on the Lua goroutine that owns the settings.
	fallback, fallbackErr := e.rsyncCommand(f.Host, flags, args[0], args[1])
	send := rsyncSend{host: f.Host, flags: flags, src: args[0], dst: args[1], fallback: fallback, fallbackErr: fallbackErr}
	background, after, err := e.backgroundOptions(o, "rsync()")
	if err != nil {
		return luaval.Fail(L, "%v", err)
	}
	if background {
		return e.startRsync(L, send, after)
	}
	return e.sched.Await(L, func(ctx context.Context) (sched.Deliver, error) {
		if err := e.rsyncHere(); err != nil {
			return nil, err
		}
		// What a pipelined task sent to the host must be there first;
		// meanwhile the channel for rsync opens.
		if err := e.onHost(ctx, f.Host, func(ctx context.Context, s *backend.Session) error {
			if p, ok := s.Backend.(channelPreparer); ok && !e.opts.DryRun {
				p.PrepareChannel(ctx)
			}
			return s.Sync(ctx)
		}); err != nil {
			return nil, err
		}
		return nil, explainRsync(f.Host.Name, e.sendRsync(ctx, send))
	})
}

// prepare_rsync() opens, ahead and in the background, the channel that
// this on() block's host's next rsync() takes: the open, and the start of
// the program that runs rsync's server, cost 2 round trips, which then
// overlap what runs until the rsync (a deploy's check, lock and upload).
// It returns at once; what it cannot open, the rsync opens itself.
func (e *Engine) rawPrepareRsync(L *lua.LState) int {
	if L.GetTop() > 0 {
		return luaval.Fail(L, "prepare_rsync() takes no arguments: it opens the channel of the on() block's host")
	}
	f := e.sched.FiberOf(L)
	if f == nil {
		return luaval.Fail(L, "prepare_rsync() opens a channel to one host: call it inside on()")
	}
	if e.opts.DryRun || f.Host.Transport == "local" {
		return luaval.Push(L, lua.LTrue)
	}
	go e.onHost(e.ctx, f.Host, func(ctx context.Context, s *backend.Session) error {
		if p, ok := s.Backend.(channelPreparer); ok {
			p.PrepareChannel(ctx)
		}
		return nil
	})
	return luaval.Push(L, lua.LTrue)
}

// errNoRsyncHere is rsync()'s failure when this machine has no rsync.
var errNoRsyncHere = errors.New("rsync is not installed on this machine; install it (apt-get install rsync) to send files with rsync()")

// rsyncHere says so when this machine has no rsync to run (a dry run
// runs none).
func (e *Engine) rsyncHere() error {
	if _, err := exec.LookPath("rsync"); err != nil && !e.opts.DryRun {
		return errNoRsyncHere
	}
	return nil
}

// rsyncCommand is the local rsync command line that sends src's contents
// into dst on h.
func (e *Engine) rsyncCommand(h *host.Host, flags []string, src, dst string) (string, error) {
	if h.Transport == "local" {
		src, dst = rsyncPaths(src, dst)
		return mkdirCommand(dst) + " && " + command.Join(append(append([]string{"rsync"}, flags...), src, dst)), nil
	}
	src, dst = rsyncPaths(src, inHome(dst))
	words := append(rsyncProgram(), flags...)
	if e.opts.DryRun { // printed: the form read as sh is the one to read
		words = append(words, "--rsync-path="+remoteRsync(dst))
	} else {
		words = append(words, "-s", "--rsync-path="+remoteRsyncAnyShell(dst))
	}
	t, err := e.transportOf(h)
	if err != nil {
		return "", err
	}
	opts, err := e.ssh.of(h)
	if err != nil {
		return "", err
	}
	a, err := t.Address(h, opts)
	if err != nil {
		return "", err
	}
	if strings.Contains(a.Hostname, ":") { // IPv6: rsync ends the host at its first colon
		a.Hostname = "[" + a.Hostname + "]"
	}
	words = append(words, "-z", "-e", command.RsyncShell(a.SSHCommand()), src, a.Destination()+":"+dst)
	return command.Join(words), nil
}

// rsyncProgram starts the command line of an rsync to a host. Set,
// RSYNC_OLD_ARGS (a user's, for scripts of their own) has rsync pass the
// remote directory to the remote shell unquoted; empty, rsync ignores it.
func rsyncProgram() []string { return []string{"RSYNC_OLD_ARGS=", "rsync"} }

// remoteRsync starts the remote rsync once remote_dir's parent is there
// (rsync makes the last directory itself): a mkdir only when the parent
// is missing, and the shell gives way to rsync. It is sh: the remote
// shell over luacap's connection is sh.
func remoteRsync(dir string) string {
	return "{ " + makeParent(dir) + "; } && exec rsync"
}

// makeParent is the sh that makes dir's parent when it is missing.
func makeParent(dir string) string {
	parent := command.Quote(path.Dir(strings.TrimSuffix(dir, "/")))
	return fmt.Sprintf("[ -d %[1]s ] || mkdir -p -- %[1]s", parent)
}

// remoteRsyncAnyShell is remoteRsync for a new ssh process, whose command
// sshd hands to the deploy user's login shell, which may be csh or fish:
// sh runs the same script, rsync's arguments as its own ("$@"). With -s
// rsync sends the file names over its protocol, out of the login shell's
// reach (zsh would fail on a glob in the directory that matches nothing).
func remoteRsyncAnyShell(dir string) string {
	script := makeParent(dir) + `; exec rsync "$@"`
	return command.StartSh(command.PrintfFormat(script)) + " sh"
}

// mkdirCommand makes dir and its parents: rsync() makes remote_dir.
func mkdirCommand(dir string) string { return command.Join([]string{"mkdir", "-p", dir}) }

// rsyncPaths end both paths with a slash: rsync sends src's contents.
func rsyncPaths(src, dst string) (string, string) {
	return strings.TrimSuffix(src, "/") + "/", strings.TrimSuffix(dst, "/") + "/"
}

// inHome is a host's directory as rsync's server reads it, which starts
// in the deploy user's home: ~/ dropped from its front. Over the
// connection sh would expand it, though not in mkdir's quoted parent,
// and rsync by a new ssh process (-s) would make a directory named ~.
func inHome(dir string) string {
	if dir == "~" {
		return "."
	}
	rest, ok := strings.CutPrefix(dir, "~/")
	if !ok {
		return dir
	}
	if rest = strings.TrimLeft(rest, "/"); rest == "" {
		return "."
	}
	return rest
}

// explainRsync names the host and says when rsync is missing over there.
func explainRsync(name string, err error) error {
	var ce *backend.CommandError
	// 127: not found; 126: found but cannot run. rsync reports the remote
	// shell's message in its stderr.
	if errors.As(err, &ce) && strings.Contains(ce.Stderr, "rsync: ") &&
		(strings.Contains(ce.Stderr, "not found") || strings.Contains(ce.Stderr, "Permission denied")) {
		return errors.New(name + ": rsync is missing or cannot run on " + name + "; install it there to send files with rsync()")
	}
	if err != nil {
		return errors.New(name + ": rsync: " + err.Error())
	}
	return nil
}
