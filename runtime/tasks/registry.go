package tasks

import (
	"fmt"
	"sort"
	"strings"
)

// Registry holds every task, alias and hook of a run.
type Registry struct {
	tasks   map[string]*Task
	aliases map[string]string // other name -> task name
	before  map[string][]Hook // keyed by the canonical task name
	after   map[string][]Hook
	pending []pendingHook // hooks on relative names not defined yet
}

// NewRegistry returns an empty Registry.
func NewRegistry() *Registry {
	return &Registry{
		tasks:   map[string]*Task{},
		aliases: map[string]string{},
		before:  map[string][]Hook{},
		after:   map[string][]Hook{},
	}
}

// Canonical resolves aliases to the task name hooks are kept under.
func (r *Registry) Canonical(name string) string {
	for i := 0; i < 8; i++ { // aliases of aliases, bounded
		target, ok := r.aliases[name]
		if !ok {
			break
		}
		name = target
	}
	return name
}

// Define adds a task or replaces the body of an existing one. Hooks stay
// attached and the description is kept unless a new one is given: that is
// how a Deployfile overrides a bundled task.
func (r *Registry) Define(t *Task) {
	t.Name = r.Canonical(t.Name)
	if old, ok := r.tasks[t.Name]; ok && t.Desc == "" {
		t.Desc = old.Desc
	}
	r.tasks[t.Name] = t
}

// Alias makes also a second name of task name.
func (r *Registry) Alias(name, also string) error {
	if r.Canonical(name) == also {
		return fmt.Errorf("alias %q -> %q would make a loop", also, name)
	}
	if _, ok := r.tasks[also]; ok {
		return fmt.Errorf("cannot alias %q: a task of that name exists", also)
	}
	r.aliases[also] = name
	return nil
}

// Clear drops a task's body and every hook attached to it.
func (r *Registry) Clear(name string) {
	r.settlePending()
	name = r.Canonical(name)
	if t, ok := r.tasks[name]; ok {
		t.Body, t.Steps = nil, nil
	}
	delete(r.before, name)
	delete(r.after, name)
}

// Lookup finds a task by name or alias.
func (r *Registry) Lookup(name string) (*Task, bool) {
	t, ok := r.tasks[r.Canonical(name)]
	return t, ok
}

// Hooks returns the hooks of a task.
func (r *Registry) Hooks(name string) (before, after []Hook) {
	r.settlePending()
	name = r.Canonical(name)
	return r.before[name], r.after[name]
}

// Names returns every task name, sorted.
func (r *Registry) Names() []string {
	out := make([]string, 0, len(r.tasks))
	for n := range r.tasks {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Check verifies that every hook and step names a known task, so a typo
// fails before anything runs rather than halfway through a deploy.
func (r *Registry) Check() error {
	var problems []string
	missing := func(name, scope, where, what string) {
		if _, ok := r.Resolve(name, scope); !ok {
			problems = append(problems, fmt.Sprintf("%s: %s names unknown task %q%s", where, what, name, r.problem(name, scope)))
		}
	}
	for _, p := range r.settlePending() {
		missing(p.target, p.Scope, p.Where, "hook")
	}
	for _, task := range r.Names() {
		t := r.tasks[task]
		for _, s := range t.Steps {
			missing(s, ScopeOf(task), t.Where, "task "+task+" step")
		}
		if t.Opts.OnFailure != "" {
			missing(t.Opts.OnFailure, ScopeOf(task), t.Where, "task "+task+" on_failure")
		}
	}
	for _, hooks := range []map[string][]Hook{r.before, r.after} {
		for task, list := range hooks {
			for _, h := range list {
				missing(task, "", h.Where, "hook")
				if h.Task != "" {
					missing(h.Task, h.Scope, h.Where, "hook on "+task)
				}
			}
		}
	}
	if len(problems) == 0 {
		return nil
	}
	sort.Strings(problems)
	return fmt.Errorf("%s", strings.Join(dedupe(problems), "\n"))
}

func dedupe(sorted []string) []string {
	out := sorted[:0]
	for i, s := range sorted {
		if i == 0 || s != sorted[i-1] {
			out = append(out, s)
		}
	}
	return out
}
