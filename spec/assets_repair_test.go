package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// A run cut off between the two renames that swap the set shared/ serves
// (a kill -9 there) leaves no shared/public/assets. The next run mends it
// as it takes the lock, before anything else, with the set that was built
// for current, or else the set it replaced.
func TestSharedAssetsCutBetweenTheRenamesAreMendedByTheNextRun(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	h := c.Hosts[0]
	d := newDeployEnv(t, c, appDeployfile(c, map[string]string{"h1": `"web"`}, sharedAssetsFromRepo+`
set("assets_build_command", "mkdir -p public/assets && v=$(cat app/assets/version) && echo app-$v.css > public/assets/manifest.txt")
-- the first thing after the lock: shared/ serves a set again
before("deploy:create_release", function()
  on(roles("web"), function() execute("[ ! -e " .. current_path() .. " ] || cat " .. shared_path() .. "/public/assets/manifest.txt") end)
end)
`))
	repo := filepath.Join(d.dir, "repo")
	gitRepo(t, repo, map[string]string{"app/assets/version": "1\n"})
	d.deploy("20260101000001")
	live := h.Path(shop + "/shared/public/assets")
	for i, cut := range []struct{ name, leave string }{
		{"both sets left", ".luacap-new"},
		{"only the replaced set left", ".luacap-old"},
	} {
		// As a kill between `mv live old` and `mv new live` leaves it.
		if err := os.Rename(live, live+cut.leave); err != nil {
			t.Fatal(err)
		}
		if cut.leave == ".luacap-new" {
			copyDir(t, live+cut.leave, live+".luacap-old")
		}
		d.write(filepath.Join(repo, "app/assets/version"), string(rune('2'+i))+"\n")
		commitAll(t, repo, cut.name)
		name := "2026010100000" + string(rune('2'+i))
		r := d.run("deploy", "-s", "release_name="+name)
		if r.Code != 0 {
			t.Fatalf("%s: the next deploy exited %d:\n%s", cut.name, r.Code, r.Output())
		}
		if got := strings.TrimSpace(readString(t, live+"/manifest.txt")); got != "app-"+string(rune('2'+i))+".css" {
			t.Errorf("%s: shared/ serves %q after the next deploy", cut.name, got)
		}
	}
}

// copyDir copies the regular files of src into a new dir dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
