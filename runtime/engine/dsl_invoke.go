package engine

import (
	lua "github.com/yuin/gopher-lua"
)

// invoke(name, ...) runs a task with its hooks, once per run.
func (e *Engine) luaInvoke(L *lua.LState) int { return e.invokeFromLua(L, "invoke", e.invoke) }

// invoke_again(name, ...) runs a task again even if it already ran: the
// invoke! of Capistrano, which Lua cannot spell. Named after invoke so
// the two read, sort and complete together.
func (e *Engine) luaInvokeAgain(L *lua.LState) int {
	return e.invokeFromLua(L, "invoke_again", e.invokeAgain)
}

// invokeIn invokes the task a step, hook or on_failure names, as written
// in the namespace scope.
func (e *Engine) invokeIn(L *lua.LState, name, scope string) error {
	found, err := e.p.Resolve(name, scope)
	if err != nil {
		return err
	}
	return e.invoke(L, found, nil)
}
