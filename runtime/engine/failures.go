package engine

import (
	"errors"
	"fmt"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/backend"
	"github.com/luacap/luacap/runtime/luaval"
	"github.com/luacap/luacap/runtime/sched"
)

// fail returns err to Lua as a verb's failure and keeps it (see
// sched.NoteFailure) until a pcall catches it.
func (e *Engine) fail(L *lua.LState, err error) int {
	e.sched.NoteFailure(L, err)
	return luaval.Fail(L, "%v", err)
}

// raw.caught(): the prelude's pcall caught an error.
func (e *Engine) rawCaught(L *lua.LState) int {
	e.sched.Caught(L)
	return 0
}

// raised is an error as Lua raised it (its message, at the user's line)
// with the verb's failure behind it, for errors.As.
type raised struct{ err, cause error }

func (r *raised) Error() string { return r.err.Error() }
func (r *raised) Unwrap() error { return r.cause }

// namingHost makes sure a host's error names it: a command's or a
// connection's failure does, an error() of the user's block does not.
func namingHost(r sched.HostResult) error {
	err := r.Err
	if r.Failure != nil {
		err = &raised{err: r.Err, cause: r.Failure}
	}
	if backend.NamedHost(err) == r.Host.Name {
		return err
	}
	return fmt.Errorf("%s: %w", r.Host.Name, err)
}

// senderOr returns the task that sent the command behind err, when err
// is a pipelined command's failure, and task otherwise: the run names the
// task a failure belongs to, not the later step that reported it.
func senderOr(err error, task string) string {
	var ce *backend.CommandError
	if errors.As(err, &ce) && ce.SentBy != "" {
		return ce.SentBy
	}
	return task
}
