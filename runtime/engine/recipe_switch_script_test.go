package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ourLock is the record of the lock the switch runs under in these tests.
const ourLock = "o'neil@box (pid 1) since today, running deploy for release r3"

// TestSwitchScript runs the switch of current (releases.switch_current)
// against layouts and locks: it prints where current pointed, marks the
// release live, removes its rolled-back mark, and changes nothing when
// the lock is not this run's or current cannot be replaced.
func TestSwitchScript(t *testing.T) {
	tests := []struct {
		name     string
		layout   layout
		lock     string // what the lock file holds; "->" links it to a file holding ourLock
		switched bool
		stderr   string
	}{
		{"from a current", layout{releases: map[string][]string{"r1": live, "r3": {revision, madeMark}}, current: "r1"},
			"", true, ""},
		{"the first one", layout{releases: map[string][]string{"r3": {revision, madeMark}}}, "", true, ""},
		{"back to a rolled-back release", layout{releases: map[string][]string{"r1": live,
			"r3": append([]string{rolledBack}, live...)}, current: "r1"}, "", true, ""},
		{"under this run's lock", layout{releases: map[string][]string{"r1": live, "r3": {revision}}, current: "r1"},
			ourLock + "\n", true, ""},
		{"under another run's lock", layout{releases: map[string][]string{"r1": live, "r3": {revision}}, current: "r1"},
			"someone@else (pid 2)\n", false, "no longer this run's"},
		{"under no lock, where this run held one", layout{releases: map[string][]string{"r1": live, "r3": {revision}},
			current: "r1"}, "-", false, "no longer this run's"},
		{"under a symbolic link to this run's record", layout{releases: map[string][]string{"r1": live, "r3": {revision}},
			current: "r1"}, "->", false, "no longer this run's"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, deployTo := scriptHost(t)
			tt.layout.make(t, deployTo)
			guard := placeLock(t, deployTo, tt.lock)
			target := filepath.Join(deployTo, "releases", "r3")
			script := r.generate(t, fmt.Sprintf(`(function() local rel = require("luacap.recipes.releases"); rel.lock_record = %s; `+
				`return rel.switch_current(%q) end)()`, guard, target))
			res := runSh(t, script)
			wasLive := hasMark(tt.layout, "r3", liveMark)
			checkSwitch(t, deployTo, tt.layout, res, tt.switched, tt.stderr, wasLive)
		})
	}
}

// placeLock makes the lock the test names and returns the Lua value of
// this run's lock record: nil when the test holds no lock.
func placeLock(t *testing.T, deployTo, lock string) string {
	t.Helper()
	path := filepath.Join(deployTo, ".luacap.lock")
	switch lock {
	case "":
		return "nil"
	case "-":
	case "->":
		mustDo(t, os.WriteFile(path+".elsewhere", []byte(ourLock+"\n"), 0o644))
		mustDo(t, os.Symlink(path+".elsewhere", path))
	default:
		mustDo(t, os.WriteFile(path, []byte(lock), 0o644))
	}
	return fmt.Sprintf("%q", ourLock)
}

func hasMark(l layout, release, mark string) bool {
	for _, m := range l.releases[release] {
		if m == mark {
			return true
		}
	}
	return false
}

// checkSwitch checks a switch to r3 did all of its work, or none of it.
func checkSwitch(t *testing.T, deployTo string, l layout, res shResult, switched bool, stderr string, wasLive bool) {
	t.Helper()
	rel := filepath.Join(deployTo, "releases", "r3")
	before := ""
	if l.current != "" {
		before = filepath.Join(deployTo, "releases", l.current)
	}
	if !switched {
		if res.exit == 0 || !strings.Contains(res.stderr, stderr) || currentTarget(deployTo) != before ||
			exists(filepath.Join(rel, liveMark)) != wasLive {
			t.Errorf("exit %d, stderr %q, current %q, live mark %v: want a failure saying %q and nothing changed",
				res.exit, res.stderr, currentTarget(deployTo), exists(filepath.Join(rel, liveMark)), stderr)
		}
		return
	}
	if res.exit != 0 || res.stdout != before {
		t.Errorf("exit %d, printed %q (stderr %q), want 0 and the previous target %q", res.exit, res.stdout, res.stderr, before)
	}
	if currentTarget(deployTo) != rel || !exists(filepath.Join(rel, liveMark)) || exists(filepath.Join(rel, rolledBack)) {
		t.Errorf("current %q, live mark %v, rolled-back mark %v: want %q, true, false", currentTarget(deployTo),
			exists(filepath.Join(rel, liveMark)), exists(filepath.Join(rel, rolledBack)), rel)
	}
	if exists(filepath.Join(deployTo, "current.luacap-new")) {
		t.Error("the new link current.luacap-new is left behind")
	}
}

// TestSwitchScriptTakesItsMarkBack makes replacing current fail (current
// is a directory): the live mark the switch wrote is taken back, one that
// was there stays.
func TestSwitchScriptTakesItsMarkBack(t *testing.T) {
	for _, wasLive := range []bool{false, true} {
		t.Run(fmt.Sprintf("was live %v", wasLive), func(t *testing.T) {
			r, deployTo := scriptHost(t)
			marks := []string{revision, madeMark}
			if wasLive {
				marks = live
			}
			l := layout{releases: map[string][]string{"r3": marks}}
			l.make(t, deployTo)
			mustDo(t, os.MkdirAll(filepath.Join(deployTo, "current", "app"), 0o755))
			res := runSh(t, r.generate(t, fmt.Sprintf(`require("luacap.recipes.releases").switch_current(%q)`,
				filepath.Join(deployTo, "releases", "r3"))))
			checkSwitch(t, deployTo, l, res, false, "", wasLive)
		})
	}
}
