package spec

import (
	"sort"
	"strings"
	"testing"
)

// checkInvariants checks the contract's invariants 1 to 6 on the state a
// cell left (after), given the state before it and how its runs ended.
func checkInvariants(t *testing.T, cell faultCell, before, after clusterState, runs []runResult) {
	t.Helper()
	main := runs[0]
	if main.hung {
		t.Errorf("the %s run hung at %s and was killed:\n%s", cell.flow, cell.step, main.output)
	}
	for _, name := range sortedNames(after) {
		b, a := before[name], after[name]
		// 1. current is an existing release that went live: one that
		// was live before, or a new one.
		if !a.currentDir || !a.live[a.current] || !(b.live[a.current] || !contains(b.releases, a.current)) {
			t.Errorf("invariant 1: %s: current = %q (directory %v, live %v), not a live release", name, a.current, a.currentDir, a.live[a.current])
		}
		// 3. Nothing that was live is gone (but the release a rollback
		// stepped back from).
		for rel := range b.live {
			rolledBack := cell.rollback() && rel == b.current && a.current != rel
			if !contains(a.releases, rel) && !rolledBack {
				t.Errorf("invariant 3: %s: release %s was live before and is gone", name, rel)
			}
		}
		// 4. shared/ is intact.
		if a.shared != b.shared {
			t.Errorf("invariant 4: %s: shared/ changed", name)
		}
	}
	checkAgreement(t, after, runs)
	if !cell.fault.noOutput {
		checkLock(t, after, runs)
		checkExit(t, cell, before, after, runs)
	}
	if t.Failed() {
		for i, r := range runs {
			t.Logf("run %d exited %d; before: %s; after: %s; its output ends:\n%s", i+1, r.code, before.currents(), after.currents(), tail(r.output, 25))
		}
	}
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// checkAgreement is invariant 2: every host on the same release, or a
// failed run that names the hosts that differ.
func checkAgreement(t *testing.T, after clusterState, runs []runResult) {
	t.Helper()
	groups := after.split()
	if len(groups) == 1 {
		return
	}
	for _, g := range groups[1:] {
		for _, name := range g {
			named := false
			for _, r := range runs {
				named = named || (r.code != 0 && strings.Contains(r.output, name))
			}
			if !named {
				t.Errorf("invariant 2: hosts differ (%s) and no failed run names %s", after.currents(), name)
			}
		}
	}
}

// checkLock is invariant 5: no lock left, unless a run says it left one.
func checkLock(t *testing.T, after clusterState, runs []runResult) {
	t.Helper()
	for _, name := range sortedNames(after) {
		if !after[name].lock {
			continue
		}
		said := false
		for _, r := range runs {
			said = said || linesWith(r.output, name, "lock")
		}
		if !said {
			t.Errorf("invariant 5: %s: a lock is left and no run's output names it", name)
		}
	}
}

// checkExit is invariant 6: the exit status and last line match the
// state and the fault.
func checkExit(t *testing.T, cell faultCell, before, after clusterState, runs []runResult) {
	t.Helper()
	r := runs[0]
	f := cell.fault
	switch {
	case f.exitCode != 0 && r.code != f.exitCode:
		t.Errorf("invariant 6: exit %d, want %d; last line %q", r.code, f.exitCode, r.last)
	case f.mustFail && r.code == 0:
		t.Errorf("invariant 6: exit 0 although %s failed", f.hostFault)
	}
	if r.code != 0 && f.hostFault != "" && !linesWith(r.output, f.hostFault+":") {
		t.Errorf("invariant 6: exit %d and no line names %s; last line %q", r.code, f.hostFault, r.last)
	}
	if r.code != 0 && strings.Contains(r.last, "undone on every host") {
		for _, name := range sortedNames(after) {
			if after[name].current != before[name].current {
				t.Errorf("invariant 6: the last line says %q but %s is on %s, was on %s", r.last, name, after[name].current, before[name].current)
			}
		}
	}
	if f.name == "concurrent" || f.deploys > 0 {
		checkConcurrent(t, cell, before, after, runs)
		return
	}
	if r.code != 0 {
		return
	}
	for _, name := range sortedNames(after) {
		want := newRelease(before[name], after[name])
		if cell.rollback() {
			want = previousLive(before[name])
		}
		if got := after[name].current; got != want || want == "" {
			t.Errorf("invariant 6: exit 0 but %s is on %q, want %q (the %s's work done); last line %q", name, got, want, cell.flow, r.last)
		}
	}
}

// newRelease is the host's current when it is a release made by the
// cell, or "".
func newRelease(b, a hostState) string {
	if contains(b.releases, a.current) {
		return ""
	}
	return a.current
}

// previousLive is the live release before current, where a rollback
// goes.
func previousLive(s hostState) string {
	var live []string
	for rel := range s.live {
		if rel < s.current {
			live = append(live, rel)
		}
	}
	sort.Strings(live)
	if len(live) == 0 {
		return ""
	}
	return live[len(live)-1]
}

func linesWith(output string, words ...string) bool {
	for _, line := range strings.Split(output, "\n") {
		all := true
		for _, w := range words {
			all = all && strings.Contains(line, w)
		}
		if all {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// checkConcurrent: a run that only met another deploy must succeed, and
// so must the deploys that waited for the lock; each successful deploy
// leaves a live release of its own on every host.
func checkConcurrent(t *testing.T, cell faultCell, before, after clusterState, runs []runResult) {
	t.Helper()
	deploys := 0
	for i, r := range runs {
		if i == 0 || cell.fault.deploys > 0 {
			if r.code != 0 {
				t.Errorf("invariant 6: run %d of %d exited %d beside another deploy; last line %q", i+1, len(runs), r.code, r.last)
				continue
			}
		}
		if r.code == 0 && (i > 0 || !cell.rollback()) {
			deploys++
		}
	}
	for _, name := range sortedNames(after) {
		var fresh []string
		for rel := range after[name].live {
			if !contains(before[name].releases, rel) {
				fresh = append(fresh, rel)
			}
		}
		if len(fresh) != deploys {
			t.Errorf("invariant 6: %s: %d deploys succeeded, %d new live releases %v", name, deploys, len(fresh), fresh)
		}
	}
}
