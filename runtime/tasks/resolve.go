package tasks

import "strings"

// ScopeOf is the namespace a task named name was defined in, as Rake
// counts it: every segment but the last ("deploy:check:copy_source" is
// in "deploy:check"). The names its steps and on_failure give are
// relative to it.
func ScopeOf(name string) string {
	i := strings.LastIndex(name, ":")
	if i < 0 {
		return ""
	}
	return name[:i]
}

// candidates are the names a relative name written in scope may mean,
// innermost namespace first, the name as written last: Rake's lookup.
func candidates(name, scope string) []string {
	var out []string
	for scope != "" {
		out = append(out, scope+":"+name)
		scope = ScopeOf(scope)
	}
	return append(out, name)
}

// Resolve finds the task a name written in namespace scope means: the
// task of that name in scope, then in each enclosing namespace, then at
// the top level. It returns the canonical name.
func (r *Registry) Resolve(name, scope string) (string, bool) {
	for _, c := range candidates(name, scope) {
		if t, ok := r.Lookup(c); ok {
			return t.Name, true
		}
	}
	return "", false
}

// resolvedOr is Resolve's name, or name itself when no task has it.
func (r *Registry) resolvedOr(name, scope string) string {
	if found, ok := r.Resolve(name, scope); ok {
		return found
	}
	return name
}

// UnknownIn is Unknown for a name written in namespace scope.
func (r *Registry) UnknownIn(name, scope string) error {
	return &UnknownError{Name: name, Scope: scope, Closest: r.closestIn(name, scope)}
}

// AliasOf returns the task an alias stands for; ok is false when name is
// not an alias.
func (r *Registry) AliasOf(name string) (string, bool) {
	if _, ok := r.aliases[name]; !ok {
		return "", false
	}
	return r.Canonical(name), true
}
