package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRemoveInsideScript runs finalize_update's removal of the linked
// paths (releases.remove_inside) in a release: it removes what stands at
// those paths, never follows a link out of the release (then it removes
// nothing and names the path), and runs no program when nothing is there.
func TestRemoveInsideScript(t *testing.T) {
	tests := []struct {
		name   string
		code   map[string]string // in the release: path -> "dir", "file", "link:TARGET" ("OUT" is a dir outside)
		paths  []string          // the linked paths
		gone   []string          // removed
		kept   []string          // still there after
		stderr string            // "" for success
	}{
		{"nothing there", map[string]string{"public": "dir", "config": "dir"},
			[]string{"log", "tmp/pids", "public/system", "config/database.yml"}, nil, []string{"public", "config"}, ""},
		{"what the code has there", map[string]string{"log/a.log": "file", "public/system/x": "file", "config/database.yml": "file",
			"tmp/pids": "link:nowhere"}, []string{"log", "tmp/pids", "public/system", "config/database.yml"},
			[]string{"log", "tmp/pids", "public/system", "config/database.yml"}, []string{"public", "config", "tmp"}, ""},
		{"a parent linked inside the release", map[string]string{"static/system/x": "file", "public": "link:static"},
			[]string{"public/system"}, []string{"static/system"}, []string{"static", "public"}, ""},
		{"a parent linked outside", map[string]string{"log/a.log": "file", "public": "link:OUT"},
			[]string{"log", "public/system"}, nil, []string{"log/a.log", "public"}, "public/system leads outside the release"},
		{"a missing parent of a parent linked outside", map[string]string{"public": "link:OUT"},
			[]string{"public/a/b/c"}, nil, []string{"public"}, "public/a/b/c leads outside the release"},
		{"the path itself a link outside: the link goes, not what it points at", map[string]string{"log": "link:OUT"},
			[]string{"log"}, []string{"log"}, nil, ""},
		{"the release itself (a linked path \"./\" or \"/\")", map[string]string{"log/a.log": "file", "app.rb": "file"},
			[]string{"log", ""}, nil, []string{"log/a.log", "app.rb"}, "names no path inside the release"},
		{"the release as \".\"", map[string]string{"log/a.log": "file", "app.rb": "file"},
			[]string{"log", "."}, nil, []string{"log/a.log", "app.rb"}, "names no path inside the release"},
		{"a parent as \"..\"", map[string]string{"config/database.yml": "file", "app.rb": "file"},
			[]string{"config/database.yml", "config/.."}, nil, []string{"config/database.yml", "app.rb"}, "names no path inside the release"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, deployTo := scriptHost(t)
			rel := filepath.Join(deployTo, "releases", "r2")
			out := filepath.Join(deployTo, "outside")
			mustDo(t, os.MkdirAll(filepath.Join(out, "system"), 0o755))
			mustDo(t, os.WriteFile(filepath.Join(out, "system", "keep"), []byte("x\n"), 0o644))
			mustDo(t, os.MkdirAll(rel, 0o755))
			somethingThere := false
			for p, kind := range tt.code {
				full := filepath.Join(rel, p)
				mustDo(t, os.MkdirAll(filepath.Dir(full), 0o755))
				switch {
				case kind == "dir":
					mustDo(t, os.MkdirAll(full, 0o755))
				case kind == "file":
					mustDo(t, os.WriteFile(full, []byte("x\n"), 0o644))
				case kind == "link:OUT":
					mustDo(t, os.Symlink(out, full))
				default:
					mustDo(t, os.Symlink(strings.TrimPrefix(kind, "link:"), full))
				}
			}
			var full []string
			for _, p := range tt.paths {
				full = append(full, fmt.Sprintf("%q", rel+"/"+p))
				somethingThere = somethingThere || exists(rel+"/"+p)
			}
			script := r.generate(t, fmt.Sprintf(`require("luacap.recipes.releases").remove_inside(%q, { %s })`, rel, strings.Join(full, ", ")))
			run := runSh
			if !somethingThere {
				run = runShNoPrograms
			}
			res := run(t, script)
			if tt.stderr == "" && (res.exit != 0 || res.stderr != "") {
				t.Errorf("exit %d, stderr %q; want success", res.exit, res.stderr)
			}
			if tt.stderr != "" && (res.exit == 0 || !strings.Contains(res.stderr, tt.stderr)) {
				t.Errorf("exit %d, stderr %q; want a failure naming %q", res.exit, res.stderr, tt.stderr)
			}
			for _, p := range tt.gone {
				if exists(filepath.Join(rel, p)) {
					t.Errorf("%s is still there", p)
				}
			}
			for _, p := range tt.kept {
				if !exists(filepath.Join(rel, p)) {
					t.Errorf("%s was removed", p)
				}
			}
			if !exists(filepath.Join(out, "system", "keep")) {
				t.Error("a file outside the release was removed")
			}
		})
	}
}
