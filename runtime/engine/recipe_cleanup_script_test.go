package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCleanupScript runs deploy:cleanup's script (releases.cleanup_script)
// against layouts of every kind of entry releases/ can hold.
func TestCleanupScript(t *testing.T) {
	tests := []struct {
		name    string
		layout  layout
		keep    int
		protect string
		left    []string
		out     string
	}{
		{"keeps keep_releases that went live, removes the oldest",
			layout{releases: map[string][]string{"r1": live, "r2": live, "r3": live, "r4": live, "r5": live}, current: "r5"},
			3, "", []string{"r3", "r4", "r5"}, "removed r1 r2\n"},
		{"never current, nor a live release newer than current (a rollback left it)",
			layout{releases: map[string][]string{"r1": live, "r2": live, "r3": live}, current: "r1"},
			1, "", []string{"r1", "r2", "r3"}, ""},
		{"current counts among those kept",
			layout{releases: map[string][]string{"r1": live, "r2": live, "r3": live}, current: "r2"},
			1, "", []string{"r2", "r3"}, "removed r1\n"},
		{"releases that never went live go, but the protected one",
			layout{releases: map[string][]string{"r1": live, "r2": {revision, madeMark}, "r3": live, "r4": {madeMark},
				"r5": {revision, madeMark}}, current: "r3"},
			5, "r4", []string{"r1", "r3", "r4"}, "removed r2 r5\n"},
		{"rolled-back releases go, before or after current",
			layout{releases: map[string][]string{"r1": live, "r2": append([]string{rolledBack}, live...), "r3": live,
				"r4": append([]string{rolledBack}, live...)}, current: "r3"},
			5, "", []string{"r1", "r3"}, "removed r2 r4\n"},
		{"Capistrano's releases: live up to current, after it only when logged",
			layout{releases: map[string][]string{"r1": {revision}, "r2": {revision}, "r3": {revision}, "r4": {revision}},
				current: "r2", logged: []string{"r3"}},
			1, "", []string{"r2", "r3"}, "removed r1 r4\n"},
		{"never anything that is not a release",
			layout{releases: map[string][]string{"r1": live, "r2": live, "old copy": {revision}, "it's": {revision},
				"-x": {revision}}, others: map[string]string{"notes": "dir", "README": "file", "r0": "link"}, current: "r2"},
			1, "", []string{"-x", "README", "it's", "notes", "old copy", "r0", "r2"}, "removed r1\n"},
		{"no current: nothing removed",
			layout{releases: map[string][]string{"r1": live, "r2": {madeMark}, "r3": live}},
			1, "", []string{"r1", "r2", "r3"}, ""},
		{"empty releases/", layout{current: "gone"}, 1, "", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, deployTo := scriptHost(t)
			tt.layout.make(t, deployTo)
			script := r.generate(t, fmt.Sprintf(`require("luacap.recipes.releases").cleanup_script(%d, %q)`, tt.keep, tt.protect))
			res := runSh(t, script)
			if res.exit != 0 || res.stdout != tt.out {
				t.Errorf("exit %d, printed %q (stderr %q), want 0 and %q", res.exit, res.stdout, res.stderr, tt.out)
			}
			if got := strings.Join(entries(t, deployTo), ","); got != strings.Join(tt.left, ",") {
				t.Errorf("left %s, want %s", got, strings.Join(tt.left, ","))
			}
		})
	}
}

// TestCleanupScriptWithoutReleases runs it where deploy_to is empty or missing.
func TestCleanupScriptWithoutReleases(t *testing.T) {
	r, deployTo := scriptHost(t)
	res := runSh(t, r.generate(t, `require("luacap.recipes.releases").cleanup_script(1, "")`))
	if res.exit != 0 || res.stdout != "" || exists(deployTo) {
		t.Errorf("exit %d, printed %q, deploy_to made: %v; want 0, nothing, none", res.exit, res.stdout, exists(deployTo))
	}
}

// TestCleanupScriptUnderAnotherLock runs it where the lock this run took
// was removed and taken by another run: it removes nothing.
func TestCleanupScriptUnderAnotherLock(t *testing.T) {
	r, deployTo := scriptHost(t)
	layout{releases: map[string][]string{"r1": live, "r2": live, "r3": {madeMark}}, current: "r2"}.make(t, deployTo)
	placeLock(t, deployTo, "someone@else (pid 2)\n")
	script := r.generate(t, fmt.Sprintf(`(function() local rel = require("luacap.recipes.releases"); rel.lock_record = %q; `+
		`return rel.cleanup_script(1, "") end)()`, ourLock))
	res := runSh(t, script)
	if got := strings.Join(entries(t, deployTo), ","); res.exit == 0 || !strings.Contains(res.stderr, "no longer this run's") ||
		got != "r1,r2,r3" {
		t.Errorf("exit %d, stderr %q, left %s: want a failure saying so and r1,r2,r3 left", res.exit, res.stderr, got)
	}
}

// TestCleanupScriptKeepsWhereCurrentLeads: current set by hand may lead to
// its release by a path whose last part is not the release's name; the
// release it leads to is current all the same, never removed.
func TestCleanupScriptKeepsWhereCurrentLeads(t *testing.T) {
	for _, target := range []string{"releases/r2/.", "/releases/r2/.", "releases/../releases/r2", "releases/r2//", "./releases/r2/./"} {
		t.Run(target, func(t *testing.T) {
			r, deployTo := scriptHost(t)
			layout{releases: map[string][]string{"r1": live, "r2": live, "r3": live, "r4": live}}.make(t, deployTo)
			if strings.HasPrefix(target, "/") {
				target = deployTo + target
			}
			mustDo(t, os.Symlink(target, filepath.Join(deployTo, "current")))
			res := runSh(t, r.generate(t, `require("luacap.recipes.releases").cleanup_script(1, "")`))
			if res.exit != 0 || res.stdout != "removed r1\n" {
				t.Errorf("exit %d, printed %q (stderr %q), want 0 and %q", res.exit, res.stdout, res.stderr, "removed r1\n")
			}
			if got := strings.Join(entries(t, deployTo), ","); got != "r2,r3,r4" {
				t.Errorf("left %s, want r2,r3,r4", got)
			}
		})
	}
}
