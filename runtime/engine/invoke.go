package engine

import (
	"fmt"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/luaval"
	"github.com/luacap/luacap/runtime/output"
	"github.com/luacap/luacap/runtime/tasks"
)

// taskStack are the tasks running, the innermost last.
type taskStack []*taskRun

// taskRun is a task being run: the hosts its commands target.
type taskRun struct {
	task  *tasks.Task
	hosts []*host.Host
	hook  bool // a before/after function, run with the task it hooks
}

// invoke runs a task: its before hooks, its body or steps (inside a
// transaction when the task asks), its after hooks. A task runs at most
// once per run, as in Rake, so shared steps are not repeated; invokeAgain
// is Capistrano's invoke!.
func (e *Engine) invoke(L *lua.LState, name string, args []lua.LValue) error {
	t, ok := e.p.Tasks.Lookup(name)
	if !ok {
		return e.p.Tasks.Unknown(name)
	}
	if e.ran[t.Name] {
		e.out.Note(output.Verbose, "", "skip "+t.Name+" (already run; use invoke_again to run it again)")
		return nil
	}
	e.ran[t.Name] = true
	e.active[t.Name] = true
	defer delete(e.active, t.Name)
	before, after := e.p.Tasks.Hooks(t.Name)
	if err := e.runHooks(L, t, "before", before); err != nil {
		return err
	}
	start := e.out.Now()
	e.out.TaskStart(t.Name)
	e.sched.ForgetFailure()
	err := e.runTask(L, t, args)
	e.out.TaskEnd(t.Name, e.out.Now().Sub(start), err != nil)
	if err != nil {
		if e.failed == "" {
			e.failed = senderOr(e.sched.Uncaught(), t.Name)
		}
		e.runOnFailure(L, t)
		return err
	}
	e.rec.noteDone(t.Name)
	return e.runHooks(L, t, "after", after)
}

func (e *Engine) runTask(L *lua.LState, t *tasks.Task, args []lua.LValue) error {
	body := func() error {
		for _, step := range t.Steps {
			if err := e.invokeIn(L, step, tasks.ScopeOf(t.Name)); err != nil {
				return err
			}
		}
		if fn, ok := t.Body.(*lua.LFunction); ok {
			return e.withTask(t, func() error {
				return e.p.InScope(tasks.ScopeOf(t.Name), func() error { return luaval.Call(L, fn, args...) })
			})
		}
		return nil
	}
	if t.Opts.Transaction {
		return e.transaction(L, t.Name, body)
	}
	return body()
}

// runHooks runs hook tasks with invoke and hook functions with the hosts
// of the task they hook.
func (e *Engine) runHooks(L *lua.LState, t *tasks.Task, when string, hooks []tasks.Hook) error {
	for _, h := range hooks {
		var err error
		if h.Task != "" {
			err = e.invokeIn(L, h.Task, h.Scope)
		} else {
			e.out.TaskStart(when + " " + t.Name + ": " + h.Label())
			err = e.withHook(t, func() error {
				return e.p.InScope(h.Scope, func() error { return luaval.Call(L, h.Fn.(*lua.LFunction)) })
			})
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// withTask makes t the current task while fn runs, so that run() and
// on_rollback() target its hosts.
func (e *Engine) withTask(t *tasks.Task, fn func() error) error {
	return e.onTaskHosts(t, false, fn)
}

// withHook is withTask for a before/after function. Its commands wait even
// when the hooked task is pipelined: the hook's author did not ask for it.
func (e *Engine) withHook(t *tasks.Task, fn func() error) error {
	return e.onTaskHosts(t, true, fn)
}

func (e *Engine) inTask(run *taskRun, fn func() error) error {
	e.running = append(e.running, run)
	defer func() { e.running = e.running[:len(e.running)-1] }()
	return fn()
}

// selectHosts applies a task's roles, hosts, only, except and once to
// the declared hosts, then the command-line filter. A task that names no
// roles or hosts runs on every host, as in Capistrano 2.
func (e *Engine) selectHosts(t *tasks.Task) []*host.Host {
	o := t.Opts
	hosts := e.p.Hosts.All()
	if len(o.Roles) > 0 {
		hosts = e.p.Hosts.InRoles(o.Roles...)
	}
	if len(o.Hosts) > 0 {
		hosts = host.Filter{Hosts: o.Hosts}.Apply(hosts)
	}
	var out []*host.Host
	for _, h := range e.usable(hosts) {
		if (o.Only == nil || h.Matches(o.Only)) && (o.Except == nil || !h.Matches(o.Except)) {
			out = append(out, h)
		}
	}
	if o.Once && len(out) > 1 {
		out = out[:1]
	}
	return out
}

// currentHosts are the hosts commands at task level go to.
func (e *Engine) currentHosts() []*host.Host {
	if n := len(e.running); n > 0 {
		return e.running[n-1].hosts
	}
	return e.usable(e.p.Hosts.All())
}

// keepGoing reports whether the current task drops failed hosts rather
// than failing (on_error="continue").
func (s taskStack) keepGoing() bool {
	n := len(s)
	return n > 0 && s[n-1].task.Opts.OnError == "continue"
}

// name is the task running now, or "" outside any.
func (s taskStack) name() string {
	if len(s) == 0 {
		return ""
	}
	return s[len(s)-1].task.Name
}

// pipelined reports whether the current task sends its commands without
// waiting for each (pipelined=true). A task that drops failed hosts waits:
// a host must be dropped at the step where it failed.
func (s taskStack) pipelined() (task string, ok bool) {
	n := len(s)
	if n == 0 {
		return "", false
	}
	run := s[n-1]
	t := run.task
	return t.Name, t.Opts.Pipelined && !run.hook && t.Opts.OnError != "continue"
}

// runOnFailure invokes a failed task's on_failure task, even after an
// interrupt; its own failure is reported, not raised over the first.
func (e *Engine) runOnFailure(L *lua.LState, t *tasks.Task) {
	if t.Opts.OnFailure == "" {
		return
	}
	restore := e.undoContext(L)
	defer restore()
	if err := e.invokeIn(L, t.Opts.OnFailure, tasks.ScopeOf(t.Name)); err != nil {
		e.out.Warn(fmt.Sprintf("%s (run because %s failed) failed too: %v", t.Opts.OnFailure, t.Name, err))
	}
}
