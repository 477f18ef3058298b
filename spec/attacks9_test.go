package spec

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// Attacks on the assets flow (use("rails/assets_local") with
// assets_shared) as a hostile user drives it: turning it on, Sprockets'
// manifests, odd file names, assets_manifests itself.

// own public/assets as its set, not what shared/ served, so that a
// rollback to it and a deploy reusing its set again serve its assets.
func TestAttack9SharedAssetsTurnedOnWithUnchangedSources(t *testing.T) {
	t.Parallel()
	cl := harness.Start(t, 2, harness.Options{})
	e := newAssetsEnv(t, cl, t.TempDir(), false, `if not fetch("assets_shared") then set("linked_dirs", { "log", "tmp/pids" }) end`)
	e.bump()
	e.deployed("shared", "-s", "release_name=20200101000001")
	e.bump()
	e.deployed("not shared", "-s", "assets_shared=false", "-s", "release_name=20200101000002")
	e.deployed("shared again, the same sources", "-s", "release_name=20200101000003")
	e.rolledBack("rollback to the release not shared", true)
	e.deployed("shared again from it, the same sources", "-s", "release_name=20200101000004")
}

// sprocketsManifests lists the Sprockets manifests in a host's
// shared/public/assets, with what each names.
func sprocketsManifests(t *testing.T, h *harness.Host) map[string]string {
	t.Helper()
	dir := h.Path(shop + "/shared/public/assets")
	found, _ := filepath.Glob(dir + "/.sprockets-manifest-*.json")
	out := map[string]string{}
	for _, f := range found {
		out[filepath.Base(f)] = strings.TrimSpace(readString(t, f))
	}
	return out
}

// Sprockets names each build's manifest .sprockets-manifest-<random>.json,
// and Rails reads the first one it finds in public/assets. The switch
// served the new set together with the set of the release left, manifest
// included: two manifests, and the new release's workers could read the
// old one and serve the old assets. Only the manifest of the release in
// current is served, after a deploy and after a rollback.
func TestAttack9OnlyTheManifestOfCurrentIsServed(t *testing.T) {
	t.Parallel()
	cl := harness.Start(t, 2, harness.Options{})
	build := assets9Build + ` && echo app-$v.css > public/assets/.sprockets-manifest-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n').json`
	e := newAssetsEnv(t, cl, t.TempDir(), false, fmt.Sprintf("set(%q, %q)\n", "assets_build_command", build))
	check := func(when string) {
		t.Helper()
		e.served(when)
		for _, h := range cl.Hosts {
			v, _ := os.ReadFile(h.Path(shop + "/releases/" + e.d.current(h) + "/app/assets/version"))
			m := sprocketsManifests(t, h)
			if len(m) != 1 {
				t.Errorf("%s: %s: shared/ serves %d Sprockets manifests %v, want the one of version %s", when, h.Name, len(m), m, strings.TrimSpace(string(v)))
			}
			for _, names := range m {
				if want := "app-" + strings.TrimSpace(string(v)) + ".css"; names != want {
					t.Errorf("%s: %s: the Sprockets manifest served names %q, want %q", when, h.Name, names, want)
				}
			}
		}
	}
	e.bump()
	e.deployed("first")
	check("first")
	e.bump()
	e.deployed("second")
	check("second")
	e.rolledBack("rollback", true)
	check("rollback")
}

// A build writing names with a quote, spaces and a newline, then one that
// writes no file at all: every set is sent, kept and served as it is; the
// empty set serves no manifest of another release.
func TestAttack9OddAndNoAssetFiles(t *testing.T) {
	t.Parallel()
	cl := harness.Start(t, 2, harness.Options{})
	odd := assets9Build + ` && printf q > "public/assets/it's a $v.css" && printf n > "public/assets/new$(printf '\nline')-$v.js"`
	e := newAssetsEnv(t, cl, t.TempDir(), false, fmt.Sprintf("set(%q, %q)\n", "assets_build_command", odd))
	e.bump()
	e.deployed("odd names 1", "-s", "release_name=20200101000001")
	e.bump()
	e.deployed("odd names 2", "-s", "release_name=20200101000002")
	for _, h := range cl.Hosts {
		for _, name := range []string{"it's a 2.css", "new\nline-2.js", "it's a 1.css", "new\nline-1.js"} {
			if _, err := os.Stat(h.Path(shop + "/shared/public/assets/" + name)); err != nil {
				t.Errorf("%s: shared/ does not serve %q: %v", h.Name, name, err)
			}
		}
	}
	e.rolledBack("odd names rolled back", true)
	e.bump()
	if r := e.d.run("deploy", "-q", "-s", "release_name=20200101000003", "-s", "assets_build_command=mkdir -p public/assets"); r.Code != 0 {
		t.Fatalf("a build of no file: deploy exited %d:\n%s", r.Code, r.Output())
	}
	for _, h := range cl.Hosts {
		if m, err := os.ReadFile(h.Path(shop + "/shared/public/assets/manifest.txt")); err == nil {
			t.Errorf("%s: a release whose build wrote no file is served the manifest %q", h.Name, m)
		}
	}
	e.rolledBack("the empty set rolled back", true)
}

// An assets_manifests entry reaches only the files of the set the switch
// builds: ".*", which matches "." too, removes no directory, and an entry
// with a path is refused before anything changes on a host.
func TestAttack9ManifestPatternsStayInTheSet(t *testing.T) {
	t.Parallel()
	cl := harness.Start(t, 1, harness.Options{})
	e := newAssetsEnv(t, cl, t.TempDir(), false, `local m = fetch("manifests_case", "")
if m == "dots" then set("assets_manifests", { ".*", "manifest*.*" }) elseif m == "outside" then set("assets_manifests", { "../x*" }) end
`)
	for i := 1; i <= 2; i++ {
		e.bump()
		e.deployed(fmt.Sprintf("assets_manifests \".*\", deploy %d", i), "-s", "manifests_case=dots", "-s", fmt.Sprintf("release_name=2020010100000%d", i))
	}
	keep := cl.Hosts[0].Path(shop + "/shared/public/x-keep")
	if err := os.WriteFile(keep, []byte("keep\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := readClusterState(cl)
	e.bump()
	r := e.d.run("deploy", "-q", "-s", "manifests_case=outside", "-s", "release_name=20200101000003")
	want := `assets_manifests: "../x*" is not a file name in assets_dir`
	if r.Code == 0 || !strings.Contains(r.Stderr, want) {
		t.Errorf("assets_manifests with a path: exit %d, stderr lacks %q:\n%s", r.Code, want, r.Output())
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("a file beside shared/public/assets went: %v", err)
	}
	if after := readClusterState(cl); after.currents() != before.currents() {
		t.Errorf("current moved: %s, was %s", after.currents(), before.currents())
	}
	e.served("after the refused deploy")
}
