package engine

import (
	lua "github.com/yuin/gopher-lua"
)

// on_exit(cmd_or_fn [, {hint = "..."}]) registers cleanup that runs once
// the run ends, however it ends: success, failure or interrupt; last
// registered first. The deploy lock is released this way. The hint is
// what the report of what was not undone says if it does not complete.
func (e *Engine) luaOnExit(L *lua.LState) int {
	e.exits = append(e.exits, e.registration(L, "on_exit"))
	return 0
}

// runExits runs the on_exit cleanups, last registered first.
func (e *Engine) runExits() {
	e.unwind(e.p.Lua(), e.exits, "cleanup")
	e.exits = nil
}
