package tasks

import (
	"fmt"
	"strings"
)

// UnknownError says a task does not exist, with the closest known name.
type UnknownError struct {
	Name    string
	Scope   string // the namespace the name was written in, or ""
	Closest string
}

// ExitCode is 2, a usage error: the command line names no such task.
func (e *UnknownError) ExitCode() int { return 2 }

func (e *UnknownError) Error() string {
	if e.Closest == "" {
		return fmt.Sprintf("task %q does not exist%s; luacap -T lists the tasks", e.Name, lookedFor(e.Name, e.Scope))
	}
	return fmt.Sprintf("task %q does not exist%s. Did you mean %q?", e.Name, lookedFor(e.Name, e.Scope), e.Closest)
}

// lookedFor lists the names a relative name was looked up as, so that a
// user sees why a task of that name elsewhere was not taken.
func lookedFor(name, scope string) string {
	if scope == "" {
		return ""
	}
	return " (looked for " + strings.Join(candidates(name, scope), ", ") + ")"
}

// Unknown returns the error for a task name that is not defined.
func (r *Registry) Unknown(name string) error {
	return r.UnknownIn(name, "")
}

// problem is the end of a Check line for a name written in scope.
func (r *Registry) problem(name, scope string) string {
	var notes []string
	if scope != "" {
		notes = append(notes, "looked for "+strings.Join(candidates(name, scope), ", "))
	}
	if c := r.closestIn(name, scope); c != "" {
		notes = append(notes, fmt.Sprintf("did you mean %q?", c))
	}
	if len(notes) == 0 {
		return ""
	}
	return " (" + strings.Join(notes, "; ") + ")"
}

// closestIn returns the known name a mistyped name written in scope most
// likely meant: the fewest edits, within a third of the length of the
// name's last segment (so that a shared "deploy:" earns no allowance),
// then a task in the same namespace as the name, then the innermost
// namespace, then the first in order. "" when nothing is that close.
func (r *Registry) closestIn(name, scope string) string {
	limit := len(name[strings.LastIndex(name, ":")+1:])/3 + 1
	best, bestKey := "", [3]int{limit, 0, 0}
	for level, q := range candidates(name, scope) {
		for _, c := range r.allNames() {
			same := 1
			if ScopeOf(c) == ScopeOf(q) {
				same = 0
			}
			key := [3]int{distance(q, c), same, level}
			if less(key, bestKey) || key == bestKey && best != "" && c < best {
				best, bestKey = c, key
			}
		}
	}
	return best
}

func less(a, b [3]int) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// allNames are the task names and the aliases.
func (r *Registry) allNames() []string {
	out := r.Names()
	for a := range r.aliases {
		out = append(out, a)
	}
	return out
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
