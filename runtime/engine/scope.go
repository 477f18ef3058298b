package engine

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Task names are relative, as in Rake: written inside namespace("deploy",
// ...), "restart" means deploy:restart when that exists, else a top-level
// restart. The namespace is the one the name was written in: the
// namespace() block while the file loads, the task's own namespace while
// its body runs, the hook's while a hook function runs.

// scope is the namespace a name passed to the DSL now is written in.
func (e *Engine) scope() string {
	if len(e.namespace) > 0 {
		return strings.Join(e.namespace, ":")
	}
	if n := len(e.scopes); n > 0 {
		return e.scopes[n-1]
	}
	return ""
}

// inScope runs fn, Lua code written in namespace scope.
func (e *Engine) inScope(scope string, fn func() error) error {
	e.scopes = append(e.scopes, scope)
	defer func() { e.scopes = e.scopes[:len(e.scopes)-1] }()
	return fn()
}

// resolve is the task name means, written in scope, or an error with the
// names looked for and the closest one.
func (e *Engine) resolve(name, scope string) (string, error) {
	if found, ok := e.tasks.Resolve(name, scope); ok {
		return found, nil
	}
	return "", e.tasks.UnknownIn(name, scope)
}

// invokeIn invokes the task a step, hook or on_failure names.
func (e *Engine) invokeIn(L *lua.LState, name, scope string) error {
	found, err := e.resolve(name, scope)
	if err != nil {
		return err
	}
	return e.invoke(L, found, nil)
}
