package engine

import (
	"errors"

	lua "github.com/yuin/gopher-lua"
)

// invokeAgain is Capistrano's invoke!: it runs a task that already ran
// as invoke ran it the first time, with its hooks and steps and the tasks
// they name, each once more. The tasks still in progress around it stay
// skipped, so a task that asks for itself again cannot loop.
func (e *Engine) invokeAgain(L *lua.LState, name string, args []lua.LValue) error {
	t, ok := e.p.Tasks.Lookup(name)
	if !ok {
		return e.p.Tasks.Unknown(name)
	}
	if e.active[t.Name] {
		return callerError{errorf("invoke_again(%q) inside %s itself would never end; call it after %s is done", name, t.Name, t.Name)}
	}
	before := e.ran
	e.ran = map[string]bool{}
	for n := range e.active {
		e.ran[n] = true
	}
	defer func() {
		for n := range e.ran {
			before[n] = true
		}
		e.ran = before
	}()
	return e.invoke(L, t.Name, args)
}

// invokeFromLua is invoke() and invoke_again(): the name is relative to
// the namespace of the code calling.
func (e *Engine) invokeFromLua(L *lua.LState, verb string, run func(*lua.LState, string, []lua.LValue) error) int {
	name := L.CheckString(1)
	if e.sched.FiberOf(L) != nil {
		L.RaiseError("%s(%q) cannot run inside on(); call it at task level", verb, name)
	}
	found, err := e.p.Resolve(name, e.p.Scope())
	if err != nil {
		L.RaiseError("%v", err)
	}
	var args []lua.LValue
	for i := 2; i <= L.GetTop(); i++ {
		args = append(args, L.Get(i))
	}
	err = run(L, found, args)
	var mistake callerError
	switch {
	case errors.As(err, &mistake):
		L.RaiseError("%v", err)
	case err != nil:
		L.Error(lua.LString(err.Error()), 0)
	}
	return 0
}

// callerError is a mistake of the call itself, not of the task it runs:
// raised at the caller's file:line.
type callerError struct{ error }
