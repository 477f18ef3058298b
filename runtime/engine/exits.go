package engine

import (
	"fmt"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/host"
)

// on_exit(cmd_or_fn) registers cleanup that runs once the run ends,
// however it ends: success, failure or interrupt; last registered first.
// The deploy lock is released this way.
func (e *Engine) luaOnExit(L *lua.LState) int {
	u := undo{where: where(L)}
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
		L.RaiseError("on_exit() needs a command string or a function, not a %s", v.Type())
	}
	e.exits = append(e.exits, u)
	return 0
}

// runExits runs the on_exit cleanups, under a context that an interrupt
// of the run does not cancel.
func (e *Engine) runExits() {
	if len(e.exits) == 0 {
		return
	}
	restore := e.undoContext(e.L)
	defer restore()
	for i := len(e.exits) - 1; i >= 0; i-- {
		if err := e.runUndo(e.L, e.exits[i]); err != nil {
			e.out.Warn(fmt.Sprintf("cleanup registered at %s failed: %v", e.exits[i].where, err))
		}
	}
	e.exits = nil
}
