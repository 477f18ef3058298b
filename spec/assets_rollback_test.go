package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// sharedAssetsFromRepo is the Deployfile's part of an app deployed from
// the git repository "repo" with its assets built here and served from
// shared/ (assets_shared): each test adds its build command.
const sharedAssetsFromRepo = `
set("copy_source", nil)
set("repo_url", "repo")
set("local_repo", "repo")
set("linked_dirs", { "log", "tmp/pids", "public/assets" })
use("rails/assets_local")
set("assets_shared", true)`

// With assets_shared, every release keeps the set of assets it served: a
// rollback, and a deploy that is undone, serve the older set again. What
// the live release serves is untouched until current switches, and the
// set of the release just left stays served beside the new one (for
// workers not yet restarted and pages already in browsers).
func TestSharedAssetsFollowTheReleaseInCurrent(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	roles := map[string]string{"h1": `"web"`, "h2": `"web"`}
	d := newDeployEnv(t, c, appDeployfile(c, roles, sharedAssetsFromRepo+`
-- digest-named files and a manifest, as Rails writes them
set("assets_build_command", "mkdir -p public/assets && v=$(cat app/assets/version) && cp app/assets/app.css public/assets/app-$v.css && echo app-$v.css > public/assets/manifest.txt")
-- until the switch, shared/ serves what the live release was deployed with
before("deploy:symlink", function()
  on(roles("web"), function()
    execute("[ ! -d " .. current_path() .. "/.luacap-assets ] || cmp " .. shared_path() .. "/public/assets/manifest.txt " .. current_path() .. "/.luacap-assets/manifest.txt")
  end)
end)
after("deploy:assets:precompile", function()
  on(roles("web"), function() execute("[ ! -f /var/www/fail-after-assets ]") end)
end)
`))
	repo := filepath.Join(d.dir, "repo")
	files := map[string]string{"app/assets/app.css": "body { color: red }\n", "app/assets/version": "1\n"}
	gitRepo(t, repo, files)
	setVersion := func(v, color string) {
		t.Helper()
		d.write(filepath.Join(repo, "app/assets/version"), v+"\n")
		d.write(filepath.Join(repo, "app/assets/app.css"), "body { color: "+color+" }\n")
		commitAll(t, repo, "v"+v)
	}
	// serves checks that each host serves, through current (whose
	// public/assets links to shared/), the manifest of version v and its
	// file, and of the other versions only left's file (the release
	// current left). The links are absolute paths inside the host, so they
	// are followed here by hand.
	serves := func(when, v, left string) {
		t.Helper()
		for _, h := range c.Hosts {
			link, err := os.Readlink(h.Path(shop + "/releases/" + d.current(h) + "/public/assets"))
			if err != nil || link != shop+"/shared/public/assets" {
				t.Errorf("%s: %s: current/public/assets links to %q (%v), want shared/public/assets", when, h.Name, link, err)
				continue
			}
			dir := h.Path(shop + "/shared/public/assets")
			if got := strings.TrimSpace(readString(t, dir+"/manifest.txt")); got != "app-"+v+".css" {
				t.Errorf("%s: %s: the manifest names %q, want app-%s.css", when, h.Name, got, v)
				continue
			}
			want := map[string]bool{"manifest.txt": true, "app-" + v + ".css": true}
			if left != "" {
				want["app-"+left+".css"] = true
			}
			entries, _ := os.ReadDir(dir)
			var got []string
			unwanted := 0
			for _, e := range entries {
				got = append(got, e.Name())
				if !want[e.Name()] {
					unwanted++
				}
			}
			if len(got) != len(want) || unwanted > 0 {
				t.Errorf("%s: %s: the assets are %v, want %v", when, h.Name, got, want)
			}
		}
	}

	d.deploy("20260101000001")
	serves("first deploy", "1", "")
	setVersion("2", "blue")
	d.deploy("20260101000002")
	serves("second deploy", "2", "1")

	setVersion("3", "green")
	for _, h := range c.Hosts {
		d.write(h.Path("/var/www/fail-after-assets"), "")
	}
	if r := d.run("deploy", "-s", "release_name=20260101000003"); r.Code != 1 {
		t.Fatalf("a deploy failing after the assets were sent exited %d:\n%s", r.Code, r.Output())
	}
	serves("an undone deploy", "2", "")
	for _, h := range c.Hosts {
		os.Remove(h.Path("/var/www/fail-after-assets"))
	}

	mustSucceed(t, d.run("deploy:rollback"))
	d.expectState("20260101000001", "20260101000001")
	serves("rollback", "1", "2")
	for _, h := range c.Hosts {
		if got := readString(t, h.Path(shop+"/shared/public/assets/app-1.css")); got != files["app/assets/app.css"] {
			t.Errorf("%s: after the rollback app-1.css = %q", h.Name, got)
		}
	}
}
