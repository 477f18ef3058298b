package engine

import (
	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/output"
)

// set(name, value): a function value is lazy, called on first fetch.
func (e *Engine) luaSet(L *lua.LState) int {
	e.vars.Set(L.CheckString(1), L.CheckAny(2))
	return 0
}

// raw.var_get(name) -> found, value, lazy. The prelude's fetch() does the
// rest in Lua, so a lazy value may run commands (and so yield).
func (e *Engine) rawVarGet(L *lua.LState) int {
	v, found, lazy := e.vars.Get(L.CheckString(1))
	L.Push(lua.LBool(found))
	L.Push(v)
	L.Push(lua.LBool(lazy))
	return 3
}

// raw.var_begin(name) -> ok, message: marks a lazy value as computing.
func (e *Engine) rawVarBegin(L *lua.LState) int {
	name := L.CheckString(1)
	ok, same := e.vars.Computing(name, e.owner(L))
	switch {
	case ok:
		return push(L, lua.LTrue)
	case same:
		return fail(L, "variable %q refers to itself through its own lazy value", name)
	}
	return fail(L, "variable %q is being computed by another host; fetch it once at task level, before on(), so every host shares one value", name)
}

// raw.var_cache(name, value) stores a lazy value's result.
func (e *Engine) rawVarCache(L *lua.LState) int {
	e.vars.Cache(L.CheckString(1), L.CheckAny(2))
	return 0
}

// raw.var_abandon(name) forgets a lazy computation that raised.
func (e *Engine) rawVarAbandon(L *lua.LState) int {
	e.vars.Abandon(L.CheckString(1))
	return 0
}

// raw.prompt(name, prompt, echo) -> ok, answer: reads ask()'s answer.
// It blocks the owner goroutine on purpose: one prompt at a time.
func (e *Engine) rawPrompt(L *lua.LState) int {
	name, prompt, echo := L.CheckString(1), L.CheckString(2), L.OptBool(3, true)
	if e.opts.Prompt == nil {
		return fail(L, "variable %q asks for input (%q) but there is no terminal; pass it with -s %s=VALUE", name, prompt, name)
	}
	answer, err := e.opts.Prompt(prompt, echo)
	if err != nil {
		return fail(L, "reading %q from the terminal: %v", name, err)
	}
	return push(L, lua.LTrue, lua.LString(answer))
}

// info(message) prints a message, naming the host inside on().
func (e *Engine) luaInfo(L *lua.LState) int {
	name := ""
	if f := e.sched.FiberOf(L); f != nil {
		name = f.Host.Name
	}
	e.out.Note(output.Normal, name, L.CheckString(1))
	return 0
}

// failAt is fail for a verb whose wrapper adds no position (on): the
// message starts with the line of the user's call.
func failAt(L *lua.LState, format string, args ...any) int {
	return fail(L, "%s "+format, append([]any{L.Where(2)}, args...)...)
}

// push returns values to Lua.
func push(L *lua.LState, values ...lua.LValue) int {
	for _, v := range values {
		L.Push(v)
	}
	return len(values)
}

// fail returns (false, message) to a prelude wrapper, which raises it at
// the line of the user's call.
func fail(L *lua.LState, format string, args ...any) int {
	return push(L, lua.LFalse, lua.LString(errorf(format, args...).Error()))
}

// owner is who computes a lazy value: the fiber L runs in, or nil.
func (e *Engine) owner(L *lua.LState) any {
	if f := e.sched.FiberOf(L); f != nil {
		return f
	}
	return nil
}
