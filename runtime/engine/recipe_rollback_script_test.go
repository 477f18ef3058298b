package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRollbackStepsBack runs deploy:rollback:revision on a local host:
// it reads the host's releases, picks the target and switches back in one
// command, marking the release it left as rolled back.
func TestRollbackStepsBack(t *testing.T) {
	rolled := append([]string{rolledBack}, live...)
	tests := []struct {
		name   string
		layout layout
		to     string // the release current points at after, "" when it fails
		err    string
	}{
		{"to the release before current", layout{releases: map[string][]string{"r1": live, "r2": live, "r3": live},
			current: "r3"}, "r2", ""},
		{"past releases that never went live or were rolled back from",
			layout{releases: map[string][]string{"r1": live, "r2": {revision, madeMark}, "r3": rolled, "r4": live},
				current: "r4"}, "r1", ""},
		{"to a Capistrano release, past non-releases", layout{releases: map[string][]string{"r1": {revision}, "r2": live},
			others: map[string]string{"r1.5": "dir", "r1.6": "link"}, current: "r2"}, "r1", ""},
		{"from a release rolled back to already", layout{releases: map[string][]string{"r1": live, "r2": live, "r3": rolled},
			current: "r2"}, "r1", ""},
		{"nothing before current", layout{releases: map[string][]string{"r1": live, "r2": live}, current: "r1"},
			"", "no release before r1 went live"},
		{"no current", layout{releases: map[string][]string{"r1": live}}, "", "no host has a current release"},
		{"empty releases/", layout{}, "", "no host has a current release"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, deployTo := scriptHost(t)
			tt.layout.make(t, deployTo)
			err := r.run("deploy:rollback:revision")
			rels := filepath.Join(deployTo, "releases")
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one saying %q", err, tt.err)
				}
				if want := targetOf(rels, tt.layout.current); currentTarget(deployTo) != want {
					t.Errorf("current %q, want it unchanged at %q", currentTarget(deployTo), want)
				}
				return
			}
			if err != nil {
				t.Fatalf("rollback: %v\n%s", err, r.out)
			}
			to, from := filepath.Join(rels, tt.to), filepath.Join(rels, tt.layout.current)
			if currentTarget(deployTo) != to || !exists(filepath.Join(to, liveMark)) || !exists(filepath.Join(from, rolledBack)) {
				t.Errorf("current %q, live mark on %s %v, rolled-back mark on %s %v: want %q, true, true", currentTarget(deployTo),
					tt.to, exists(filepath.Join(to, liveMark)), tt.layout.current, exists(filepath.Join(from, rolledBack)), to)
			}
		})
	}
}

func targetOf(rels, release string) string {
	if release == "" {
		return ""
	}
	return filepath.Join(rels, release)
}

// TestRollbackCleanupScript runs the removal of the release rolled back
// from (releases.remove_unless_current): never while current points at it.
func TestRollbackCleanupScript(t *testing.T) {
	for _, current := range []string{"r1", "r2"} {
		t.Run("current "+current, func(t *testing.T) {
			r, deployTo := scriptHost(t)
			layout{releases: map[string][]string{"r1": live, "r2": live}, current: current}.make(t, deployTo)
			res := runSh(t, r.generate(t, `require("luacap.recipes.releases").remove_unless_current("r2")`))
			_, err := os.Lstat(filepath.Join(deployTo, "releases", "r2"))
			if res.exit != 0 || (err == nil) != (current == "r2") {
				t.Errorf("exit %d (stderr %q), r2 there: %v; want it there only while current", res.exit, res.stderr, err == nil)
			}
		})
	}
}
