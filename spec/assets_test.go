package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

var assetFiles = map[string]string{
	"app/assets/app.css":      "body { color: red }\n",
	"public/assets/stale.css": "stale: committed by mistake\n",
	"public/index.html":       "<p>shop</p>\n",
	"Gemfile.lock":            "GEM\n",
}

func TestLocalAssetsBuiltOnceAndRsynced(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 5, harness.Options{})
	roles := map[string]string{"h1": `"web"`, "h2": `"web"`, "h3": `"web"`, "h4": `"web"`, "h5": `"app"`}
	d := newDeployEnv(t, c, "")
	buildLog := filepath.Join(d.dir, "builds.log")
	d.write(filepath.Join(d.dir, "Deployfile.lua"), appDeployfile(c, roles, `
set("copy_source", nil)
set("repo_url", "repo")
set("local_repo", "repo")
use("rails/assets_local")
set("assets_build_command", "rm -rf public/assets && mkdir -p public/assets && cp app/assets/*.css public/assets/ && pwd >> `+buildLog+`")
`))
	gitRepo(t, filepath.Join(d.dir, "repo"), assetFiles)
	d.write(filepath.Join(d.dir, "repo/app/assets/uncommitted.css"), "work in progress\n")

	d.deploy("20260101000001")
	builds := strings.Split(strings.TrimSpace(readString(t, buildLog)), "\n")
	if len(builds) != 1 {
		t.Fatalf("built %d times, want once: %v", len(builds), builds)
	}
	if strings.HasPrefix(builds[0], d.dir) {
		t.Errorf("built in %s, inside the working tree", builds[0])
	}
	if _, err := os.Stat(builds[0]); err == nil {
		t.Errorf("the build directory %s was left behind", builds[0])
	}
	checkAssets := func(release string) {
		t.Helper()
		for _, h := range c.Hosts {
			dir := shop + "/releases/" + release + "/public/assets"
			_, err := os.Stat(h.Path(dir + "/app.css"))
			if isWeb := h.Name != "h5"; isWeb != (err == nil) {
				t.Errorf("%s: app.css present = %v, want %v", h.Name, err == nil, isWeb)
			}
			if h.Name == "h5" {
				continue
			}
			if got := readString(t, h.Path(dir+"/app.css")); got != assetFiles["app/assets/app.css"] {
				t.Errorf("%s: app.css = %q", h.Name, got)
			}
			for _, absent := range []string{"stale.css", "uncommitted.css"} {
				if _, err := os.Stat(h.Path(dir + "/" + absent)); err == nil {
					t.Errorf("%s: %s is in the assets", h.Name, absent)
				}
			}
		}
	}
	checkAssets("20260101000001")

	r := d.run("deploy", "-s", "release_name=20260101000002")
	mustSucceed(t, r)
	if got := strings.Count(readString(t, buildLog), "\n"); got != 1 {
		t.Errorf("a deploy with unchanged sources built again (%d builds)", got)
	}
	if !strings.Contains(r.Stdout, "assets unchanged since the current release") {
		t.Errorf("the reuse was not announced:\n%s", r.Stdout)
	}
	checkAssets("20260101000002")

	d.write(filepath.Join(d.dir, "repo/app/assets/app.css"), "body { color: blue }\n")
	commitAll(t, filepath.Join(d.dir, "repo"), "blue")
	d.deploy("20260101000003")
	if got := strings.Count(readString(t, buildLog), "\n"); got != 2 {
		t.Errorf("changed sources gave %d builds in all, want 2", got)
	}
	if got := readString(t, c.Host("h1").Path(shop+"/releases/20260101000003/public/assets/app.css")); got != "body { color: blue }\n" {
		t.Errorf("after the change: %q", got)
	}
}

func TestRemoteAssetsOnWebHostsAndAFailingBuild(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 3, harness.Options{})
	roles := map[string]string{"h1": `"web"`, "h2": `"web"`, "h3": `"app"`}
	d := newDeployEnv(t, c, appDeployfile(c, roles, `
use("rails/assets")
set("assets_build_command", "[ ! -f /var/www/fail-build ] || { echo 'out of memory' >&2; exit 1; }; mkdir -p public/assets && echo $RAILS_ENV > public/assets/built.txt")
`))
	d.deploy("20260101000001")
	for _, h := range c.Hosts {
		_, err := os.Stat(h.Path(shop + "/releases/20260101000001/public/assets/built.txt"))
		if isWeb := h.Name != "h3"; isWeb != (err == nil) {
			t.Errorf("%s: assets built = %v, want %v", h.Name, err == nil, isWeb)
		}
	}
	d.write(c.Host("h2").Path("/var/www/fail-build"), "")
	r := d.run("deploy", "-s", "release_name=20260101000002")
	if r.Code != 1 || !strings.Contains(r.Stderr, "h2: command failed") || !strings.Contains(r.Stderr, "out of memory") {
		t.Errorf("exit %d:\n%s", r.Code, r.Output())
	}
	d.expectState("20260101000001", "20260101000001")
}

func TestRsyncMissingOnTheServer(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{Hide: []string{"/usr/bin/rsync"}})
	src := preamble(c, map[string]string{"h1": `"web"`}) + `
task("send", function() on(roles("web"), function() rsync("files", "/var/www/files") end) end)`
	dir := harness.WriteDeployfile(t, src)
	os.MkdirAll(filepath.Join(dir, "files"), 0o755)
	r := harness.Run(t, luacap, dir, c.Home(), nil, "send")
	if r.Code != 1 || !strings.Contains(r.Stderr, "h1: rsync is missing or cannot run on h1; install it there") {
		t.Errorf("exit %d:\n%s", r.Code, r.Output())
	}
}
