package engine

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// leftover is an undo or on_exit cleanup that failed, or was never run
// (a second signal cut the undo short), on some hosts.
type leftover struct {
	where string // the registration's Lua file:line
	what  string // its hint, or what it would have done
	hosts []string
}

// leave records that batch did not complete on hosts.
func (r *record) leave(kind string, batch []undo, hosts []string) {
	u := batch[0]
	r.left = append(r.left, leftover{where: u.where, what: u.leftWhat(kind), hosts: hosts})
}

// leftWhat says what is left when u did not run: its hint, or the
// command to run by hand, or where the function that would have is.
func (u undo) leftWhat(kind string) string {
	switch {
	case u.hint != "":
		return u.hint
	case u.cmd != "":
		return fmt.Sprintf("run `%s` (the %s registered at %s)", u.cmd, kind, u.where)
	}
	return fmt.Sprintf("the %s registered at %s did not run", kind, u.where)
}

// Unfinished returns a line per registration that did not complete,
// "not undone on h2, h3: <hint>", in the order they were met; nil when
// every undo and cleanup completed.
func (e *Engine) Unfinished() []string {
	type group struct {
		what  string
		hosts map[string]bool
	}
	var order []string
	groups := map[string]*group{}
	for _, l := range e.rec.left {
		key := l.where + "\x00" + l.what
		g, ok := groups[key]
		if !ok {
			g = &group{what: l.what, hosts: map[string]bool{}}
			groups[key] = g
			order = append(order, key)
		}
		for _, h := range l.hosts {
			g.hosts[h] = true
		}
	}
	var out []string
	for _, key := range order {
		g := groups[key]
		out = append(out, fmt.Sprintf("not undone on %s: %s", strings.Join(sortedKeys(g.hosts), ", "), g.what))
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// finish gives the run's final error the outcome: what stays, what was
// undone, what did not run, what was left. A run whose tasks completed
// but whose cleanups did not is not a success either.
func (e *Engine) finish(names []string, err error) error {
	o := e.outcome(names)
	var (
		intr *Interrupted
		te   *TaskError
	)
	switch {
	case errors.As(err, &intr):
		intr.Outcome = o
	case errors.As(err, &te):
		te.Outcome = o
	case err == nil && o.Incomplete:
		return &CleanupError{Outcome: o}
	}
	return err
}
