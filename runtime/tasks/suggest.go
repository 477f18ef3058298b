package tasks

import "fmt"

// UnknownError says a task does not exist, with the closest known name.
type UnknownError struct {
	Name    string
	Closest string
}

// ExitCode is 2, a usage error: the command line names no such task.
func (e *UnknownError) ExitCode() int { return 2 }

func (e *UnknownError) Error() string {
	if e.Closest == "" {
		return fmt.Sprintf("task %q does not exist; luacap -T lists the tasks", e.Name)
	}
	return fmt.Sprintf("task %q does not exist. Did you mean %q?", e.Name, e.Closest)
}

// Unknown returns the error for a task name that is not defined.
func (r *Registry) Unknown(name string) error {
	return &UnknownError{Name: name, Closest: r.closest(name)}
}

func (r *Registry) suggest(name string) string {
	if c := r.closest(name); c != "" {
		return fmt.Sprintf(" (did you mean %q?)", c)
	}
	return ""
}

// closest returns the known name within a third of name's length in
// edits, so that only plausible typos get a suggestion.
func (r *Registry) closest(name string) string {
	best, bestDist := "", len(name)/3+1
	candidates := r.Names()
	for a := range r.aliases {
		candidates = append(candidates, a)
	}
	for _, c := range candidates {
		if d := distance(name, c); d < bestDist || d == bestDist && best != "" && c < best {
			best, bestDist = c, d
		}
	}
	return best
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
