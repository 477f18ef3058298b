package engine

import (
	"context"
	"io/fs"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/backend"
	"github.com/luacap/luacap/runtime/command"
	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/luaval"
	"github.com/luacap/luacap/runtime/runner"
	"github.com/luacap/luacap/runtime/sched"
)

// Every raw function here returns (true, results...) or (false, message)
// through sched.Await; the prelude's wrappers raise the message at the
// user's line. The error contract, as the docs state it:
//   execute/run/sudo raise on a non-zero exit, on every host they target;
//   test returns a boolean (first host at task level);
//   capture returns stdout, stripped (first host at task level).

// target is where a command goes: this fiber's host, or the hosts of the
// task being run, with the within/with/as context of that thread.
func (e *Engine) target(L *lua.LState) ([]*host.Host, *cmdContext) {
	if f := e.sched.FiberOf(L); f != nil {
		return []*host.Host{f.Host}, f.Data.(*cmdContext)
	}
	return e.currentHosts(), e.mainCtx
}

func (e *Engine) rawExecute(L *lua.LState) int { return e.runCommand(L, false) }
func (e *Engine) rawSudo(L *lua.LState) int    { return e.runCommand(L, true) }

func (e *Engine) runCommand(L *lua.LState, sudo bool) int {
	if err := e.outsideTask(L, "run()"); err != nil {
		return luaval.Fail(L, "%v", err)
	}
	cmd, opts, err := commandArgs(L, 1)
	if err != nil {
		return luaval.Fail(L, "%v", err)
	}
	o, err := luaval.Options(L, opts, "run()", "pty", "stdin")
	if err != nil {
		return luaval.Fail(L, "%v", err)
	}
	hosts, c := e.target(L)
	spec := c.spec(cmd)
	spec.Sudo = sudo
	line, pty := command.Build(spec), lua.LVAsBool(luaval.OptOr(o, "pty"))
	input := e.p.LocalPath(lua.LVAsString(luaval.OptOr(o, "stdin"))) // a local file streamed to the command
	if task, ok := e.running.pipelined(); ok && !pty && input == "" {
		return e.sched.Await(L, e.fanout(hosts, func(ctx context.Context, s *backend.Session) error {
			return s.Send(ctx, line, task)
		}))
	}
	return e.sched.Await(L, e.fanout(hosts, func(ctx context.Context, s *backend.Session) error {
		_, err := s.RunWithInput(ctx, line, pty, input)
		return err
	}))
}

// raw.test(cmd...) -> ok, passed.
func (e *Engine) rawTest(L *lua.LState) int {
	cmd, _, err := commandArgs(L, 1)
	if err != nil {
		return luaval.Fail(L, "%v", err)
	}
	h, line, err := e.firstTarget(L, cmd)
	if err != nil {
		return luaval.Fail(L, "test(): %v", err)
	}
	return e.sched.Await(L, func(ctx context.Context) (sched.Deliver, error) {
		var passed bool
		err := e.onHost(ctx, h, func(ctx context.Context, s *backend.Session) (err error) {
			passed, err = s.Test(ctx, line)
			return err
		})
		return deliver(lua.LBool(passed)), err
	})
}

// raw.capture(cmd..., [{dry_run = "stand-in"}]) -> ok, stdout.
func (e *Engine) rawCapture(L *lua.LState) int {
	cmd, opts, err := commandArgs(L, 1)
	if err != nil {
		return luaval.Fail(L, "%v", err)
	}
	o, err := luaval.Options(L, opts, "capture()", "dry_run")
	if err != nil {
		return luaval.Fail(L, "%v", err)
	}
	standIn := lua.LVAsString(luaval.OptOr(o, "dry_run"))
	h, line, err := e.firstTarget(L, cmd)
	if err != nil {
		return luaval.Fail(L, "capture(): %v", err)
	}
	return e.sched.Await(L, e.captureOn(h, line, standIn))
}

// firstTarget is the one host test() and capture() ask: the fiber's, or
// the first of the task's, as Capistrano 2's capture does.
func (e *Engine) firstTarget(L *lua.LState, cmd string) (*host.Host, string, error) {
	hosts, c := e.target(L)
	if err := e.noServers(hosts, strconv.Quote(cmd)); err != nil {
		return nil, "", err
	}
	if len(hosts) == 0 {
		return nil, "", errorf("no host to run %q on (no host matches the task's roles and filters)", cmd)
	}
	return hosts[0], command.Build(c.spec(cmd)), nil
}

// raw.put(content, path, [{mode = "0644"}]).
func (e *Engine) rawPut(L *lua.LState) int {
	args, err := luaval.StringArgs(L, "put", "content", "path")
	if err != nil {
		return luaval.Fail(L, "%v", err)
	}
	content, path := args[0], args[1]
	optsTable, _ := L.Get(3).(*lua.LTable)
	o, err := luaval.Options(L, optsTable, "put()", "mode")
	if err != nil {
		return luaval.Fail(L, "%v", err)
	}
	mode, err := fileMode(luaval.OptOr(o, "mode"))
	if err != nil {
		return luaval.Fail(L, "put(): %v", err)
	}
	hosts, _ := e.target(L)
	return e.sched.Await(L, e.fanout(hosts, func(ctx context.Context, s *backend.Session) error {
		return s.Put(ctx, []byte(content), path, mode)
	}))
}

func fileMode(v lua.LValue) (fs.FileMode, error) {
	if v == lua.LNil {
		return 0o644, nil
	}
	s, ok := v.(lua.LString)
	n, err := strconv.ParseUint(string(s), 8, 32)
	if !ok || err != nil || n > 0o7777 {
		return 0, errorf(`mode must be an octal string such as "0644", not %s`, v.String())
	}
	return fs.FileMode(n), nil
}

// raw.upload(local, remote).
func (e *Engine) rawUpload(L *lua.LState) int {
	args, err := luaval.StringArgs(L, "upload", "the local path", "the remote path")
	if err != nil {
		return luaval.Fail(L, "%v", err)
	}
	local, remote := e.p.LocalPath(args[0]), args[1] // as the Deployfile means it
	hosts, _ := e.target(L)
	return e.sched.Await(L, e.fanout(hosts, func(ctx context.Context, s *backend.Session) error {
		return s.Upload(ctx, local, remote)
	}))
}

// raw.download(remote, local). With several hosts, local must hold
// "{host}", which becomes each host's name.
func (e *Engine) rawDownload(L *lua.LState) int {
	args, err := luaval.StringArgs(L, "download", "the remote path", "the local path")
	if err != nil {
		return luaval.Fail(L, "%v", err)
	}
	remote, local := args[0], e.p.LocalPath(args[1])
	hosts, _ := e.target(L)
	if len(hosts) > 1 && !strings.Contains(local, "{host}") {
		return luaval.Fail(L, "download() from %d hosts needs \"{host}\" in the local path, so each host's file has its own name", len(hosts))
	}
	return e.sched.Await(L, e.fanout(hosts, func(ctx context.Context, s *backend.Session) error {
		return s.Download(ctx, remote, strings.ReplaceAll(local, "{host}", s.Host.Name))
	}))
}

// raw.run_locally(cmd, [{dry_run = "stand-in", background = bool}]) -> ok,
// stdout: runs on this machine. In the background it returns at once
// with the command's job number, and raw.wait_local takes its result
// (local_jobs.go).
func (e *Engine) rawRunLocally(L *lua.LState) int {
	cmd, opts, err := commandArgs(L, 1)
	if err != nil {
		return luaval.Fail(L, "%v", err)
	}
	o, err := luaval.Options(L, opts, "run_locally()", "dry_run", "background", "after")
	if err != nil {
		return luaval.Fail(L, "%v", err)
	}
	line := command.Build(e.contextOf(L).spec(cmd))
	background, after, err := e.backgroundOptions(o, "run_locally()")
	if err != nil {
		return luaval.Fail(L, "%v", err)
	}
	if background {
		return e.startLocal(L, line, lua.LVAsString(luaval.OptOr(o, "dry_run")), after)
	}
	return e.sched.Await(L, e.captureOn(e.localHost, line, lua.LVAsString(luaval.OptOr(o, "dry_run"))))
}

// captureOn is work that runs line on h and delivers its stdout, or the
// stand-in in a dry run.
func (e *Engine) captureOn(h *host.Host, line, standIn string) sched.Work {
	return func(ctx context.Context) (sched.Deliver, error) {
		var out string
		err := e.onHost(ctx, h, func(ctx context.Context, s *backend.Session) error {
			res, err := s.Run(ctx, line, false)
			out = strings.TrimSpace(res.Stdout)
			if res.Simulated {
				out = standIn
			} else if err == nil {
				out, err = res.Captured(h.Name, line)
			}
			return err
		})
		return deliver(lua.LString(out)), err
	}
}

// raw.on_local(fn) runs fn(host) as a fiber on this machine, so execute,
// capture and test inside it run locally.
func (e *Engine) rawOnLocal(L *lua.LState) int {
	if e.sched.FiberOf(L) != nil {
		return luaval.Fail(L, "run_locally(function) cannot run inside on(); pass a command string instead")
	}
	fn, ok := L.Get(1).(*lua.LFunction)
	if !ok {
		return luaval.Fail(L, "run_locally() needs a command or a function")
	}
	h := e.localHost
	res := e.sched.Run(L, []*host.Host{h}, []lua.LValue{hostTable(L, h)}, fn, sched.Options{
		Policy: policySequence, NewData: func(*host.Host) any { return e.mainCtx.clone() },
	})
	if res[0].Err != nil {
		return luaval.Fail(L, "%v", res[0].Err)
	}
	return luaval.Push(L, lua.LTrue)
}

var policySequence = runner.Policy{Mode: runner.Sequence}

func deliver(values ...lua.LValue) sched.Deliver {
	return func(*lua.LState) []lua.LValue { return values }
}

var policyParallel = runner.Policy{Mode: runner.Parallel}

// buildCommand builds cmd with the within/with/as context of L's thread.
func (e *Engine) buildCommand(L *lua.LState, cmd string) string {
	return command.Build(e.contextOf(L).spec(cmd))
}
