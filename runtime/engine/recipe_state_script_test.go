package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStateScript runs the script the lock reads the host's releases with
// (releases.state_script): one line per name in releases/ with its flags
// (g, revisions.log's, only where no mark decides), then current's release
// and target.
func TestStateScript(t *testing.T) {
	tests := []struct {
		name   string
		layout layout
		want   []string // the release lines; current and target follow
	}{
		{"every flag", layout{releases: map[string][]string{
			"r1": {revision}, "r2": {liveMark}, "r3": {madeMark}, "r4": {rolledBack}, "r5": nil,
			"r6": {revision, liveMark, madeMark, rolledBack}}, logged: []string{"r5", "r6"}, current: "r6"},
			[]string{"release dr:r1", "release dl:r2", "release dm:r3", "release dx:r4", "release dg:r5", "release drlmx:r6"}},
		// revisions.log is read only for a release no mark decides: a grep less per release
		{"a marked release is not looked up in revisions.log", layout{releases: map[string][]string{
			"r1": {revision, liveMark}, "r2": {revision, madeMark}, "r3": {revision, rolledBack}, "r4": {revision}},
			logged: []string{"r1", "r2", "r3", "r4"}, current: "r4"},
			[]string{"release drl:r1", "release drm:r2", "release drx:r3", "release drg:r4"}},
		{"names with spaces and quotes, files and links",
			layout{releases: map[string][]string{"it's new": {revision}}, others: map[string]string{"a file": "file", "a link": "link",
				"a link to it": "link to it's new"}, logged: []string{"it's new"}, current: "it's new"},
			[]string{"release :a file", "release :a link", "release r:a link to it", "release drg:it's new"}},
		{"a release named in a longer one's log line only", layout{releases: map[string][]string{"r1": {revision}},
			logged: []string{"r10"}, current: "r1"}, []string{"release dr:r1"}},
		{"empty releases/", layout{}, nil},
		{"no current", layout{releases: map[string][]string{"r1": {revision}}}, []string{"release dr:r1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, deployTo := scriptHost(t)
			tt.layout.make(t, deployTo)
			res := runSh(t, r.generate(t, `require("luacap.recipes.releases").state_script()`))
			target := ""
			if tt.layout.current != "" {
				target = filepath.Join(deployTo, "releases", tt.layout.current)
			}
			want := strings.Join(append(tt.want, "current "+tt.layout.current, "target "+target), "\n") + "\n"
			if res.exit != 0 || res.stdout != want {
				t.Errorf("exit %d, printed:\n%s(stderr %q)\nwant exit 0 and:\n%s", res.exit, res.stdout, res.stderr, want)
			}
		})
	}
}

// TestStateScriptWithoutDeployTo runs it before the first deploy.
func TestStateScriptWithoutDeployTo(t *testing.T) {
	r, _ := scriptHost(t)
	res := runSh(t, r.generate(t, `require("luacap.recipes.releases").state_script()`))
	if want := "current \ntarget \n"; res.exit != 0 || res.stdout != want {
		t.Errorf("exit %d, printed %q, want 0 and %q", res.exit, res.stdout, want)
	}
}

// TestStateScriptCurrentEndingInSlashes: current made by hand may end in
// slashes; its release is read as basename(1) reads it, the target as it is.
func TestStateScriptCurrentEndingInSlashes(t *testing.T) {
	for _, target := range []string{"releases/r1/", "releases/r1//", "r1///"} {
		t.Run(target, func(t *testing.T) {
			r, deployTo := scriptHost(t)
			layout{releases: map[string][]string{"r1": {revision}}}.make(t, deployTo)
			mustDo(t, os.Symlink(target, filepath.Join(deployTo, "current")))
			res := runSh(t, r.generate(t, `require("luacap.recipes.releases").state_script()`))
			if want := "release dr:r1\ncurrent r1\ntarget " + target + "\n"; res.exit != 0 || res.stdout != want {
				t.Errorf("exit %d, printed %q (stderr %q), want %q", res.exit, res.stdout, res.stderr, want)
			}
		})
	}
}
