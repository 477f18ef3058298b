package project

import (
	"strings"
)

// Task names are relative, as in Rake: written inside namespace("deploy",
// ...), "restart" means deploy:restart when that exists, else a top-level
// restart. The namespace is the one the name was written in: the
// namespace() block while the file loads, the task's own namespace while
// its body runs, the hook's while a hook function runs.

// Scope is the namespace a name passed to the DSL now is written in.
func (p *Project) Scope() string {
	if len(p.names.namespace) > 0 {
		return strings.Join(p.names.namespace, ":")
	}
	if n := len(p.names.scopes); n > 0 {
		return p.names.scopes[n-1]
	}
	return ""
}

// InScope runs fn, Lua code written in namespace scope.
func (p *Project) InScope(scope string, fn func() error) error {
	p.names.scopes = append(p.names.scopes, scope)
	defer func() { p.names.scopes = p.names.scopes[:len(p.names.scopes)-1] }()
	return fn()
}

// Resolve is the task name means, written in scope, or an error with the
// names looked for and the closest one.
func (p *Project) Resolve(name, scope string) (string, error) {
	if found, ok := p.Tasks.Resolve(name, scope); ok {
		return found, nil
	}
	return "", p.Tasks.UnknownIn(name, scope)
}
