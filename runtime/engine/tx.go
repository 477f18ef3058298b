package engine

import (
	"context"
	"fmt"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/backend"
	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/luaval"
	"github.com/luacap/luacap/runtime/output"
	"github.com/luacap/luacap/runtime/tasks"
)

// undoTimeout bounds the undo of a transaction, which runs even after an
// interrupt; a second Ctrl-C (Options.AbortCtx) cuts it short.
const undoTimeout = 10 * time.Minute

// undo is one on_rollback() registration.
type undo struct {
	hosts   []*host.Host
	cmd     string         // a built command, or
	fn      *lua.LFunction // a function: fn(host) per host, or fn() at task level
	perHost bool
	where   string
	hint    string // what is left, for a user, if this does not complete
}

type txFrame struct {
	undos []undo
	left  int // leftovers already recorded when the transaction began
	jobs  int // background commands started before it began
}

// transaction(fn): if fn fails, the undos registered inside it run in
// reverse order and the error is raised again.
func (e *Engine) luaTransaction(L *lua.LState) int {
	fn := L.CheckFunction(1)
	if e.sched.FiberOf(L) != nil {
		L.RaiseError("transaction() cannot run inside on(); call it at task level")
	}
	name := "the transaction at " + luaval.Where(L)
	if err := e.transaction(L, name, func() error { return luaval.Call(L, fn) }); err != nil {
		L.Error(lua.LString(err.Error()), 0)
	}
	return 0
}

// transaction runs body as the transaction name (a task's name, or where
// transaction() was called), and records whether it committed or was
// undone, for the run's final error.
func (e *Engine) transaction(L *lua.LState, name string, body func() error) error {
	frame := &txFrame{left: len(e.rec.left), jobs: e.jobs.count()}
	e.txs = append(e.txs, frame)
	err := body()
	if err == nil { // commit only what every host has confirmed
		err = e.syncHosts(e.ctx)
	}
	e.txs = e.txs[:len(e.txs)-1]
	if err == nil {
		if n := len(e.txs); n > 0 { // an outer transaction may still fail
			e.txs[n-1].undos = append(e.txs[n-1].undos, frame.undos...)
		}
		e.noteCommit(name)
		return nil
	}
	e.jobs.stopFrom(frame.jobs) // nothing it started writes where its undo removes
	e.rollback(L, frame)
	e.noteRollback(name, frame.left)
	return err
}

// on_rollback(cmd_or_fn [, {hint = "..."}]) registers an undo for the
// hosts the current step runs on: this host inside on(), the task's hosts
// at task level. Outside a transaction there is nothing to undo into, and
// it does nothing. The hint is what the report of what was not undone
// says if this undo does not complete.
func (e *Engine) luaOnRollback(L *lua.LState) int {
	n := len(e.txs)
	if n == 0 {
		e.out.Note(output.Verbose, "", luaval.Where(L)+": on_rollback() outside a transaction is ignored")
		return 0
	}
	u := e.registration(L, "on_rollback")
	e.txs[n-1].undos = append(e.txs[n-1].undos, u)
	return 0
}

// rollback runs a failed transaction's undos in reverse. An undo that
// fails is reported and the others still run.
func (e *Engine) rollback(L *lua.LState, frame *txFrame) {
	if len(frame.undos) == 0 {
		return
	}
	e.out.Warn(fmt.Sprintf("rolling back %d step(s)", len(frame.undos)))
	e.unwind(L, frame.undos, "undo")
}

// undoContext swaps in a context that the interrupt which may have failed
// the transaction does not cancel, so undos can still run.
func (e *Engine) undoContext(L *lua.LState) (restore func()) {
	saved := e.ctx
	ctx, cancel := e.cleanupContext()
	e.cleaning++
	e.ctx = ctx
	e.p.Lua().SetContext(ctx)
	if L != e.p.Lua() {
		L.SetContext(ctx)
	}
	return func() {
		cancel()
		e.cleaning--
		e.ctx = saved
		e.p.Lua().SetContext(saved)
		if L != e.p.Lua() {
			L.SetContext(saved)
		}
	}
}

// cleanupContext is the context undo and on_exit work runs under: not
// cancelled by the interrupt that may have brought us here, and marked so
// that its commands run even after a failed command sent without waiting.
func (e *Engine) cleanupContext() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(e.opts.AbortCtx, undoTimeout)
	return backend.Cleanup(ctx), cancel
}

// undoTask stands for the task while a task-level undo function runs.
func (e *Engine) undoTask() *tasks.Task { return &tasks.Task{Name: "rollback"} }

// registrationOptions are the keys of on_rollback()'s and on_exit()'s
// option table.
var registrationOptions = []string{"hint"}

// registration reads what on_rollback() and on_exit() register: a command
// (built now, with the within/with/as in force) or a function, for this
// host inside on(), or for the task's hosts at task level; and the hint
// that says what is left if it does not complete.
func (e *Engine) registration(L *lua.LState, verb string) undo {
	u := undo{where: luaval.Where(L), hint: registrationHint(L, verb)}
	if f := e.sched.FiberOf(L); f != nil {
		u.hosts, u.perHost = []*host.Host{f.Host}, true
	} else {
		u.hosts = e.currentHosts()
	}
	switch v := L.CheckAny(1).(type) {
	case lua.LString:
		u.cmd = e.buildCommand(L, string(v))
	case *lua.LFunction:
		u.fn = v
	default:
		L.RaiseError("%s() needs a command string or a function, not a %s", verb, v.Type())
	}
	return u
}

// registrationHint reads the optional {hint = "..."} after the command.
func registrationHint(L *lua.LState, verb string) string {
	t := L.OptTable(2, nil)
	opts, err := luaval.Options(L, t, verb+"()", registrationOptions...)
	if err != nil {
		L.RaiseError("%v", err)
	}
	switch v := luaval.OptOr(opts, "hint").(type) {
	case lua.LString:
		return string(v)
	case *lua.LNilType:
		return ""
	default:
		L.RaiseError("%s(): hint must be a string that says what is left on the host, not a %s", verb, v.Type())
	}
	return ""
}
