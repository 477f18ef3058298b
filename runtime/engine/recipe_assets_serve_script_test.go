package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/luacap/luacap/recipes"
)

// assetsScriptHost is scriptHost with rails/assets_local and
// assets_shared: its switch serves the new release's set in shared/.
func assetsScriptHost(t *testing.T) (*testRun, string) {
	t.Helper()
	r, err := tryLoad(t, "")
	if err != nil {
		t.Fatal(err)
	}
	mustDo(t, r.e.LoadRecipes(recipes.FS, recipes.Core))
	deployTo := filepath.Join(r.dir, "the app's dir")
	src := fmt.Sprintf(`
server("h1", { transport = "local", roles = { "app", "web", "db" } })
set("deploy_to", %q)
use("rails/assets_local")
set("assets_shared", true)
task("generate", function()
  on(roles("app"), function() generated = assert(loadstring("return " .. expression))() end)
end)`, deployTo)
	file := filepath.Join(r.dir, "Deployfile2.lua")
	mustDo(t, os.WriteFile(file, []byte(src), 0o644))
	mustDo(t, r.e.LoadFile(file))
	return r, deployTo
}

// TestAssetsServeScript runs the switch to release r2 with assets_shared:
// shared/ then serves r2's set, r1 (the release left) keeps the set it
// served as its own, and a directory shared/'s set links to is never
// written through: it still holds r1's manifest.
func TestAssetsServeScript(t *testing.T) {
	tests := []struct {
		name   string
		live   string // shared/public/assets: "dir" or "link" to store/
		r1Kept string // r1's own set: "" none, "dir", or "link" to store/
	}{
		{"a directory, r1 kept no set", "dir", ""},
		{"a directory, r1 kept its set", "dir", "dir"},
		{"a link, r1 kept no set", "link", ""},
		{"a link, r1's set a link too (an older run's copy)", "link", "link"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, deployTo := assetsScriptHost(t)
			rel := func(n string) string { return filepath.Join(deployTo, "releases", n) }
			store := filepath.Join(deployTo, "store")
			live := filepath.Join(deployTo, "shared", "public", "assets")
			mustDo(t, os.MkdirAll(store, 0o755))
			mustDo(t, os.WriteFile(filepath.Join(store, "manifest.txt"), []byte("1\n"), 0o644))
			mustDo(t, os.MkdirAll(filepath.Dir(live), 0o755))
			if tt.live == "dir" {
				mustDo(t, os.Rename(store, live))
				store = live
			} else {
				mustDo(t, os.Symlink(store, live))
			}
			for _, n := range []string{"r1", "r2"} {
				mustDo(t, os.MkdirAll(rel(n), 0o755))
				mustDo(t, os.WriteFile(filepath.Join(rel(n), "REVISION"), []byte(n+"\n"), 0o644))
			}
			switch tt.r1Kept {
			case "dir":
				mustDo(t, os.MkdirAll(filepath.Join(rel("r1"), ".luacap-assets"), 0o755))
				mustDo(t, os.Link(filepath.Join(store, "manifest.txt"), filepath.Join(rel("r1"), ".luacap-assets", "manifest.txt")))
			case "link":
				mustDo(t, os.Symlink(store, filepath.Join(rel("r1"), ".luacap-assets")))
			}
			mustDo(t, os.MkdirAll(filepath.Join(rel("r2"), ".luacap-assets"), 0o755))
			mustDo(t, os.WriteFile(filepath.Join(rel("r2"), ".luacap-assets", "manifest.txt"), []byte("2\n"), 0o644))
			mustDo(t, os.Symlink(rel("r1"), filepath.Join(deployTo, "current")))

			script := r.generate(t, fmt.Sprintf(`require("luacap.recipes.releases").switch_current(%q)`, rel("r2")))
			if res := runSh(t, script); res.exit != 0 {
				t.Fatalf("the switch exited %d: %s", res.exit, res.stderr)
			}
			for path, want := range map[string]string{
				filepath.Join(live, "manifest.txt"):                     "2\n",
				filepath.Join(store, "manifest.txt"):                    map[bool]string{true: "2\n", false: "1\n"}[tt.live == "dir"],
				filepath.Join(rel("r1"), ".luacap-assets/manifest.txt"): "1\n",
			} {
				if b, err := os.ReadFile(path); err != nil || string(b) != want {
					t.Errorf("%s holds %q (%v), want %q", strings.TrimPrefix(path, deployTo), b, err, want)
				}
			}
		})
	}
}
