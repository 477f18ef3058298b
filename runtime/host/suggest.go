package host

import (
	"fmt"
	"path"
	"strings"
)

// UnknownRoleError is a role that no declared server plays: a typo, or a
// stage that was not loaded.
type UnknownRoleError struct {
	Role    string
	Known   []string // the roles the declared servers play, in order
	Servers int      // how many servers are declared
}

func (e *UnknownRoleError) Error() string {
	switch {
	case e.Servers == 0:
		return fmt.Sprintf("no server plays role %q: no server is declared", e.Role)
	case len(e.Known) == 0:
		return fmt.Sprintf("no server plays role %q: no server is given a role", e.Role)
	}
	msg := fmt.Sprintf("no server plays role %q; the roles are %s", e.Role, strings.Join(e.Known, ", "))
	if c := Closest(e.Role, e.Known); c != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", c)
	}
	return msg
}

// CheckRoles returns an UnknownRoleError for the first of roles that no
// server plays. "all" is every host and always known.
func (s *Set) CheckRoles(roles ...string) error {
	for _, r := range roles {
		if r != "all" && !s.HasRole(r) {
			return &UnknownRoleError{Role: r, Known: s.Roles(), Servers: len(s.hosts)}
		}
	}
	return nil
}

// Roles returns every role some server plays, in the order first declared.
func (s *Set) Roles() []string {
	var out []string
	seen := map[string]bool{}
	for _, h := range s.hosts {
		for _, r := range h.Roles {
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	return out
}

// ValidGlob reports a host pattern that path.Match cannot read, such as
// "web[1", which would otherwise match nothing without a word.
func ValidGlob(pattern string) error {
	if _, err := path.Match(pattern, ""); err != nil {
		return fmt.Errorf("%q is not a valid glob (%v); write * ? [a-z] in full, or the server's name", pattern, err)
	}
	return nil
}

// Closest returns the candidate within a third of name's length in edits,
// so that only a plausible typo gets a "did you mean"; "" when none is.
func Closest(name string, candidates []string) string {
	best, bestDist := "", len(name)/3+1
	for _, c := range candidates {
		if d := distance(name, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// distance counts the edits from a to b: insertions, deletions,
// substitutions and swaps of two neighbours ("wbe" is one from "web").
func distance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
