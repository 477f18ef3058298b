package engine

import (
	"context"

	lua "github.com/yuin/gopher-lua"

	"fmt"
	"sort"
	"strings"

	"github.com/luacap/luacap/runtime/output"
)

// Run invokes the named tasks in order under ctx. Cancelling ctx stops the
// commands in flight; transactions then undo what they did.
func (e *Engine) Run(ctx context.Context, names []string) error {
	if err := e.p.Preflight(names, e.opts.Filter); err != nil {
		return err
	}
	if err := e.p.Check(names); err != nil {
		return err
	}
	if err := e.readSSHOptions(); err != nil {
		return err
	}
	e.p.Vars.Settle()
	// What this run does, for records such as the deploy lock's.
	e.p.Vars.Set("run_tasks", lua.LString(strings.Join(names, " ")))
	e.ctx = ctx
	e.p.Lua().SetContext(ctx)
	defer e.p.Lua().RemoveContext()
	hostNames := make([]string, 0)
	for _, h := range e.usable(e.p.Hosts.All()) {
		hostNames = append(hostNames, h.Name)
	}
	e.out.Hosts(hostNames...)
	e.dialAhead(ctx)
	err := e.runTasks(ctx, names)
	e.jobs.stop() // before the cleanups, which may remove what they use
	e.runExits()
	err = e.settle(ctx, names, err)
	e.warnUnknownSettings()
	return e.finish(names, err)
}

// settle waits for what pipelined tasks sent, after the on_exit cleanups
// (whose commands read those ends on the way), so that a run never ends
// before its commands have: their failure is the run's, or is reported
// with the failure the run already has.
func (e *Engine) settle(ctx context.Context, names []string, err error) error {
	syncCtx, cancel := context.WithTimeout(e.opts.AbortCtx, undoTimeout)
	defer cancel()
	serr := e.syncHosts(syncCtx)
	switch {
	case serr == nil:
		return err
	case err == nil:
		return e.runError(ctx, names[len(names)-1], serr)
	}
	e.out.Warn("also failed: " + serr.Error())
	return err
}

func (e *Engine) runTasks(ctx context.Context, names []string) error {
	for _, name := range names {
		if err := e.invoke(e.p.Lua(), name, nil); err != nil {
			return e.runError(ctx, name, err)
		}
	}
	if ctx.Err() != nil {
		return &Interrupted{Task: names[len(names)-1]}
	}
	if len(e.dropped) > 0 {
		return &TaskError{Task: strings.Join(names, " "), Err: fmt.Errorf("hosts dropped after failures: %s", strings.Join(e.droppedNames(), ", "))}
	}
	return nil
}

func (e *Engine) runError(ctx context.Context, name string, err error) error {
	failed := e.failed
	if failed == "" {
		failed = name
	}
	if ctx.Err() != nil {
		return &Interrupted{Task: failed}
	}
	return &TaskError{Task: failed, Err: err}
}

func (e *Engine) droppedNames() []string {
	var out []string
	for n := range e.dropped {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Explain returns the tree --explain prints for a task.
func (e *Engine) Explain(name string) (string, error) {
	if err := e.p.Check([]string{name}); err != nil {
		return "", err
	}
	return e.p.Tasks.Explain(name)
}

// Out is the run's output.
func (e *Engine) Out() *output.Output { return e.out }

// dialAhead connects to every host at once as the run starts, so that
// handshakes overlap with each other and with local work; a host that
// cannot be reached fails later, at its first command, with its error.
func (e *Engine) dialAhead(ctx context.Context) {
	for _, h := range e.usable(e.p.Hosts.All()) {
		if h.Transport == "ssh" && !e.opts.DryRun && e.opts.SSH != nil {
			go e.pool.Session(ctx, h)
		}
	}
}

// warnUnknownSettings prints the settings nothing read as warnings: they
// never fail a run.
func (e *Engine) warnUnknownSettings() {
	for _, u := range e.p.UnknownSettings() {
		e.out.Warn(u.String())
	}
}
