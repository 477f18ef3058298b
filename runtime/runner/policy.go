// Package runner holds the policies that decide in which order, and how
// many at a time, the hosts of an on() block run: parallel, sequence, or
// groups of a given size with a pause between them.
package runner

import (
	"fmt"
	"time"
)

// Mode names a policy as on() options spell it.
type Mode string

// The policies on() accepts with {in = ...}.
const (
	Parallel Mode = "parallel"
	Sequence Mode = "sequence"
	Groups   Mode = "groups"
)

// Policy is a mode with its limit (hosts per group) and the pause between
// groups or, in sequence, between hosts.
type Policy struct {
	Mode  Mode
	Limit int
	Wait  time.Duration
}

// Validate checks a policy as read from a Deployfile.
func (p Policy) Validate() error {
	switch p.Mode {
	case Parallel, Sequence:
	case Groups:
		if p.Limit < 1 {
			return fmt.Errorf(`mode="groups" needs limit, a number of hosts of at least 1`)
		}
	default:
		return fmt.Errorf(`mode=%q is not a policy; use "parallel", "sequence" or "groups"`, p.Mode)
	}
	if p.Wait < 0 {
		return fmt.Errorf("wait must not be negative")
	}
	return nil
}

// Batches splits n hosts into the groups that run one after another.
// Hosts within a batch run together, at most maxInFlight at once.
func (p Policy) Batches(n int) [][]int {
	size := n
	switch p.Mode {
	case Sequence:
		size = 1
	case Groups:
		size = p.Limit
	}
	var out [][]int
	for start := 0; start < n; start += max(size, 1) {
		var batch []int
		for i := start; i < min(start+size, n); i++ {
			batch = append(batch, i)
		}
		out = append(out, batch)
	}
	return out
}
