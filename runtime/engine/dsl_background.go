package engine

import (
	"context"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/backend"
	"github.com/luacap/luacap/runtime/luaval"
	"github.com/luacap/luacap/runtime/sched"
)

// startLocal starts line on this machine in the background, in a process
// group of its own (stopped with it), and returns the job's number for
// raw.wait_local; with after, a job, it runs once that one has ended
// well, and fails, running nothing, if it did not. A dry run prints the
// command in order, and the job's result is the stand-in.
func (e *Engine) startLocal(L *lua.LState, line, standIn string, after *localJob) int {
	ctx, cancel := context.WithCancel(e.ctx)
	job := &localJob{done: make(chan struct{}), cancel: cancel, cmd: line, task: e.running.name(), host: e.localHost.Name, shown: true}
	id := e.jobs.add(job)
	if e.opts.DryRun {
		print := e.captureOn(e.localHost, line, standIn)
		return e.sched.Await(L, func(ctx context.Context) (sched.Deliver, error) {
			defer close(job.done)
			_, err := print(ctx)
			job.res.Stdout, job.err = standIn, err
			job.printed.Do(func() {})
			return deliver(lua.LNumber(id)), err
		})
	}
	e.out.CommandStart(e.localHost.Name, line)
	go func() {
		defer close(job.done)
		if job.err = stopped(ctx, after.ended(ctx)); job.err != nil {
			return
		}
		job.res, job.err = backend.Local{}.Run(ctx, line, backend.RunOptions{})
		job.err = stopped(ctx, job.err)
	}()
	return luaval.Push(L, lua.LTrue, lua.LNumber(id))
}

// raw.stop_local(id) -> ok: stops a background command (its process
// group) that is no longer wanted, and waits until it has stopped. One
// that already ended is left as it was.
func (e *Engine) rawStopLocal(L *lua.LState) int {
	job := e.jobs.get(L.CheckInt(1))
	if job == nil {
		return luaval.Fail(L, "stop(): no such background command (it belongs to a run that has ended)")
	}
	job.cancel()
	return e.sched.Await(L, func(ctx context.Context) (sched.Deliver, error) {
		select {
		case <-job.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return deliver(), nil
	})
}

// raw.wait_local(id) -> ok, stdout | false, message: waits for a
// background command and returns what run_locally would have. Waiting
// again returns the same.
func (e *Engine) rawWaitLocal(L *lua.LState) int {
	job := e.jobs.get(L.CheckInt(1))
	if job == nil {
		return luaval.Fail(L, "wait(): no such background command (it belongs to a run that has ended)")
	}
	return e.sched.Await(L, func(ctx context.Context) (sched.Deliver, error) {
		select {
		case <-job.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		out, err := job.result(e.out)
		return deliver(lua.LString(out)), err
	})
}

// backgroundOptions reads a command's background and after options:
// whether it runs in the background, and the job it follows (nil for
// none). An after on a command run at once is refused: it would run
// before the job it names has ended.
func (e *Engine) backgroundOptions(o map[string]lua.LValue, verb string) (bool, *localJob, error) {
	background, v := lua.LVAsBool(luaval.OptOr(o, "background")), luaval.OptOr(o, "after")
	if v == lua.LNil {
		return background, nil, nil
	}
	if !background {
		return false, nil, errorf("%s after: only a command started with background = true waits for a job; add it, or wait() for the job first", verb)
	}
	job, err := e.jobOption(v)
	if err != nil {
		return false, nil, errorf("%s after: %v", verb, err)
	}
	return true, job, nil
}

// jobOption is the job an after option names.
func (e *Engine) jobOption(v lua.LValue) (*localJob, error) {
	t, ok := v.(*lua.LTable)
	if !ok {
		return nil, errorf("give the job a background command returned, not a %s", v.Type())
	}
	id, ok := t.RawGetString("id").(lua.LNumber)
	job := e.jobs.get(int(id))
	if !ok || job == nil {
		return nil, errorf("give the job a background command returned (run_locally or rsync with background = true)")
	}
	return job, nil
}
