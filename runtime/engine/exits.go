package engine

import (
	"fmt"

	lua "github.com/yuin/gopher-lua"
)

// on_exit(cmd_or_fn) registers cleanup that runs once the run ends,
// however it ends: success, failure or interrupt; last registered first.
// The deploy lock is released this way.
func (e *Engine) luaOnExit(L *lua.LState) int {
	e.exits = append(e.exits, e.registration(L, "on_exit"))
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
