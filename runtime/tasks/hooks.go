package tasks

// pendingHook is a hook on a name written inside a namespace that named
// no task yet when before() or after() ran; Check attaches it.
type pendingHook struct {
	Hook
	target string
	after  bool
}

// Before adds a hook that runs before task. A name written inside a
// namespace (h.Scope) means the task of that name there, then outward,
// then at the top level, as in Rake.
func (r *Registry) Before(task string, h Hook) { r.add(task, false, h) }

// After adds a hook that runs after task.
func (r *Registry) After(task string, h Hook) { r.add(task, true, h) }

func (r *Registry) add(task string, after bool, h Hook) {
	name, ok := r.Resolve(task, h.Scope)
	if !ok && h.Scope != "" {
		// Defined later in the file, or a typo: Check decides.
		r.pending = append(r.pending, pendingHook{Hook: h, target: task, after: after})
		return
	}
	if !ok {
		name = r.Canonical(task)
	}
	r.attach(name, after, h)
}

func (r *Registry) attach(name string, after bool, h Hook) {
	if after {
		r.after[name] = append(r.after[name], h)
		return
	}
	r.before[name] = append(r.before[name], h)
}

// settlePending attaches the pending hooks whose task now exists and
// returns those whose task still does not.
func (r *Registry) settlePending() []pendingHook {
	var left []pendingHook
	for _, p := range r.pending {
		if name, ok := r.Resolve(p.target, p.Scope); ok {
			r.attach(name, p.after, p.Hook)
		} else {
			left = append(left, p)
		}
	}
	r.pending = left
	return left
}
