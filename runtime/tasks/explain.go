package tasks

import (
	"fmt"
	"strings"
)

// Explain returns the ordered tree of tasks and hooks that invoking name
// runs, one per line, each level indented by two spaces. A task already
// run earlier in the tree is marked, since it will not run twice.
func (r *Registry) Explain(name string) (string, error) {
	if _, ok := r.Lookup(name); !ok {
		return "", r.Unknown(name)
	}
	var b strings.Builder
	r.explain(&b, r.Canonical(name), "", 0, map[string]bool{})
	return b.String(), nil
}

func (r *Registry) explain(b *strings.Builder, name, label string, depth int, seen map[string]bool) {
	indent := strings.Repeat("  ", depth)
	t, _ := r.Lookup(name)
	line := indent + label + name
	if seen[name] {
		fmt.Fprintf(b, "%s  (already run)\n", line)
		return
	}
	seen[name] = true
	if t != nil && t.Opts.Pipelined {
		line += "  [pipelined]"
	}
	if t != nil && t.Opts.Transaction {
		line += "  [transaction]"
	}
	if t == nil || t.Body == nil && len(t.Steps) == 0 {
		line += "  (empty)"
	}
	b.WriteString(line + "\n")
	before, after := r.Hooks(name)
	r.explainHooks(b, before, "[before] ", depth+1, seen)
	if t != nil {
		for _, s := range t.Steps {
			r.explain(b, r.resolvedOr(s, ScopeOf(name)), "", depth+1, seen)
		}
	}
	r.explainHooks(b, after, "[after] ", depth+1, seen)
	if t != nil && t.Opts.OnFailure != "" {
		fmt.Fprintf(b, "%s  [on failure] %s\n", indent, t.Opts.OnFailure)
	}
}

func (r *Registry) explainHooks(b *strings.Builder, hooks []Hook, label string, depth int, seen map[string]bool) {
	for _, h := range hooks {
		if h.Task == "" {
			fmt.Fprintf(b, "%s%s%s\n", strings.Repeat("  ", depth), label, h.Label())
			continue
		}
		r.explain(b, r.resolvedOr(h.Task, h.Scope), label, depth, seen)
	}
}
