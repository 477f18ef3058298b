// Package sched runs per-host Lua blocks as coroutines ("fibers") on the
// one goroutine that owns the Lua state. A Go function that does I/O
// hands the work to Await: inside a fiber the fiber yields, the work runs
// on its own goroutine, and the owner resumes the fiber with the result.
// No Lua value is touched off the owner goroutine.
package sched

import (
	"errors"

	lua "github.com/yuin/gopher-lua"
)

// step is how one resume of a coroutine ended.
type step struct {
	done    bool         // the coroutine returned
	yielded bool         // the coroutine yielded
	values  []lua.LValue // what it returned or yielded
	err     error        // the error it raised
}

// resume wraps gopher-lua's Resume, whose three return shapes the rest of
// the package should not need to know.
func resume(L, co *lua.LState, fn *lua.LFunction, args ...lua.LValue) step {
	st, err, values := L.Resume(co, fn, args...)
	switch {
	case err != nil || st == lua.ResumeError:
		return step{err: LuaError(err)}
	case st == lua.ResumeYield:
		return step{yielded: true, values: values}
	}
	return step{done: true, values: values}
}

// LuaError turns a Lua error into a Go error carrying only the Lua
// message: gopher-lua adds a stack trace that users should not see.
func LuaError(err error) error {
	var api *lua.ApiError
	if errors.As(err, &api) && api.Object != nil {
		return errors.New(api.Object.String())
	}
	return err
}
