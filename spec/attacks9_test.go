package spec

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// Attacks on the assets flow (use("rails/assets_local") with
// assets_shared) under the faults of the fault matrix, and as a hostile
// user drives it: what current serves must always be its own set.

// assets9Build writes digest-named files and a manifest naming the
// version, as Rails writes them.
const assets9Build = `mkdir -p public/assets && v=$(cat app/assets/version) && cp app/assets/app.css public/assets/app-$v.css && echo app-$v.css > public/assets/manifest.txt`

// assets9Steps are the steps a fault can be injected after.
var assets9Steps = []string{"deploy:lock", "deploy:assets:precompile", "deploy:migrate", "deploy:symlink",
	"deploy:restart", "deploy:cleanup", "deploy:rollback:revision"}

// assetsEnv is a cluster of web hosts (h1 also the primary db) deployed
// from the git repository repo with shared assets; version is the
// version committed last.
type assetsEnv struct {
	t       *testing.T
	c       *harness.Cluster
	d       *deployEnv
	repo    string
	version int
}

// newAssetsEnv writes the Deployfile: fault points after every step of
// assets9Steps, idle unless -s fault_step names the step (then they fail
// on h3 with fault_kind=fail, or touch dir/at and wait for a line from
// dir/go, as the fault matrix's do); extra is added at the end.
func newAssetsEnv(t *testing.T, c *harness.Cluster, dir string, deadHost bool, extra string) *assetsEnv {
	t.Helper()
	var b strings.Builder
	for _, h := range c.Hosts {
		if h.Name == "h1" {
			fmt.Fprintf(&b, "server(%q, { roles = { \"web\", \"db\" }, primary = true })\n", h.Name)
		} else {
			fmt.Fprintf(&b, "server(%q, { roles = { \"web\" } })\n", h.Name)
		}
	}
	fmt.Fprintf(&b, `%s
set("keep_releases", 10)
set("migrate_command", "touch migrated")
set("assets_build_command", %q)
task("deploy:restart", function()
  on(roles("web"), function() execute("touch " .. current_path() .. "/restarted") end)
end)
local function fault_point(step)
  return function()
    if fetch("fault_step", "") ~= step then return end
    if fetch("fault_kind", "") == "fail" then
      on(roles("web"), function(host) if host.name == "h3" then execute("false") end end)
      return
    end
    run_locally("touch %s/at; read line < %s/go")
  end
end
`, sshOptions(c, deadHost), assets9Build, dir, dir)
	for _, s := range assets9Steps {
		fmt.Fprintf(&b, "after(%q, fault_point(%q))\n", s, s)
	}
	src := appDeployfile(c, nil, sharedAssetsFromRepo+"\n"+b.String()+extra)
	e := &assetsEnv{t: t, c: c, d: newDeployEnv(t, c, src)}
	e.repo = filepath.Join(e.d.dir, "repo")
	gitRepo(t, e.repo, map[string]string{"app/assets/app.css": "body { color: c0 }\n", "app/assets/version": "0\n"})
	return e
}

// bump commits the next version of the assets.
func (e *assetsEnv) bump() {
	e.t.Helper()
	e.version++
	v := strconv.Itoa(e.version)
	e.d.write(filepath.Join(e.repo, "app/assets/version"), v+"\n")
	e.d.write(filepath.Join(e.repo, "app/assets/app.css"), "body { color: c"+v+" }\n")
	commitAll(e.t, e.repo, "v"+v)
}

// deploy bumps the version and deploys it as release name.
func (e *assetsEnv) deploy(name string, args ...string) {
	e.t.Helper()
	e.bump()
	e.d.deploy(name, args...)
}

// served checks, on every host, invariants 1 and 2 of the assets flow:
// current is a release with a REVISION whose public/assets links to
// shared/, and shared/ serves the manifest of that release's own
// version (the one in its code, and in its kept set), every file the
// manifest names being there with the content of that version.
func (e *assetsEnv) served(when string) {
	e.t.Helper()
	for _, h := range e.c.Hosts {
		if err := servesOwnSet(h); err != nil {
			e.t.Errorf("%s: %s: %v", when, h.Name, err)
		}
	}
}

func servesOwnSet(h *harness.Host) error {
	cur, err := os.Readlink(h.Path(shop + "/current"))
	if err != nil {
		return fmt.Errorf("no current: %v", err)
	}
	rel := h.Path(cur)
	if _, err := os.Stat(rel + "/REVISION"); err != nil {
		return fmt.Errorf("current -> %s has no REVISION", cur)
	}
	v, _ := os.ReadFile(rel + "/app/assets/version")
	want := "app-" + strings.TrimSpace(string(v)) + ".css"
	dir := h.Path(shop + "/shared/public/assets")
	if link, err := os.Readlink(rel + "/public/assets"); err != nil || link != shop+"/shared/public/assets" {
		fi, err := os.Lstat(rel + "/public/assets")
		if err != nil || !fi.IsDir() {
			return fmt.Errorf("current/public/assets links to %q, neither shared/ nor a directory of its own (%v)", link, err)
		}
		dir = rel + "/public/assets" // a release deployed without assets_shared serves its own
	} else {
		kept, _ := os.ReadFile(rel + "/.luacap-assets/manifest.txt")
		if got := strings.TrimSpace(string(kept)); got != want {
			return fmt.Errorf("release %s keeps the manifest %q, want %q", filepath.Base(cur), got, want)
		}
		if err := holdsSet(dir, rel+"/.luacap-assets"); err != nil {
			return err
		}
	}
	served, _ := os.ReadFile(dir + "/manifest.txt")
	if got := strings.TrimSpace(string(served)); got != want {
		return fmt.Errorf("current is %s, whose manifest names %q; %s serves %q", filepath.Base(cur), want, dir, got)
	}
	css, err := os.ReadFile(dir + "/" + want)
	if wantCSS := "body { color: c" + strings.TrimSpace(string(v)) + " }\n"; err != nil || string(css) != wantCSS {
		return fmt.Errorf("%s serves %s = %q (%v), want %q", dir, want, css, err, wantCSS)
	}
	return nil
}

// holdsSet reports a file of the set kept that dir does not serve as it is.
func holdsSet(dir, kept string) error {
	entries, err := os.ReadDir(kept)
	if err != nil {
		return err
	}
	for _, e := range entries {
		want, _ := os.ReadFile(filepath.Join(kept, e.Name()))
		if got, err := os.ReadFile(filepath.Join(dir, e.Name())); err != nil || string(got) != string(want) {
			return fmt.Errorf("%s serves %q = %q (%v), the set kept has %q", dir, e.Name(), got, err, want)
		}
	}
	return nil
}

// keptSets is invariant 3: every release live before (but the one a
// rollback stepped back from) is still there with its own set.
func (e *assetsEnv) keptSets(when string, before, after clusterState, rollback bool) {
	e.t.Helper()
	for _, h := range e.c.Hosts {
		b := before[h.Name]
		for rel := range b.live {
			if rollback && rel == b.current && after[h.Name].current != rel {
				continue
			}
			dir := h.Path(shop + "/releases/" + rel)
			v, _ := os.ReadFile(dir + "/app/assets/version")
			m, err := os.ReadFile(dir + "/.luacap-assets/manifest.txt")
			if want := "app-" + strings.TrimSpace(string(v)) + ".css"; err != nil || strings.TrimSpace(string(m)) != want {
				e.t.Errorf("%s: %s: release %s, live before, keeps the manifest %q (%v), want %q", when, h.Name, rel, m, err, want)
			}
		}
	}
}

// assetsCell is one cell of the sweep: a flow, the step after which the
// fault comes, and the fault (one of faultKinds).
type assetsCell struct {
	flow, step string
	fault      faultKind
}

func (c assetsCell) name() string {
	return strings.ReplaceAll(c.flow+"/"+strings.TrimPrefix(c.step, "deploy:")+"/"+c.fault.name, ":", "_")
}

func assets9Fault(name string) faultKind {
	for _, f := range faultKinds {
		if f.name == name {
			return f
		}
	}
	panic("no fault " + name)
}

// run deploys the baseline (two releases for a rollback, one else),
// injects the fault, checks invariants 1 to 3, then the recovery: a
// deploy:unlock where a lock is left (a killed run cannot say so; any
// other run must have said to), a deploy, and a rollback, each serving
// its release's own set.
func (c assetsCell) run(t *testing.T) {
	cl := harness.Start(t, 3, harness.Options{})
	fr := newFaultRun(t, faultCell{flow: c.flow, step: c.step, fault: c.fault})
	e := newAssetsEnv(t, cl, fr.dir, c.fault.deadHost, "")
	fr.d = e.d
	e.deploy("20200101000001")
	if c.flow == "deploy:rollback" {
		e.deploy("20200101000002")
	} else {
		e.bump()
	}
	before := readClusterState(cl)
	runs := c.fault.inject(fr)
	after := readClusterState(cl)
	e.served("after the fault")
	e.keptSets("after the fault", before, after, c.flow == "deploy:rollback")
	for _, name := range sortedNames(after) {
		a := after[name]
		if !a.live[a.current] || !(before[name].live[a.current] || !contains(before[name].releases, a.current)) {
			t.Errorf("%s: current = %q, not a release live before nor the new one", name, a.current)
		}
	}
	locked := false
	for _, name := range sortedNames(after) {
		locked = locked || after[name].lock
	}
	if locked {
		if !c.fault.noOutput && !strings.Contains(runs[0].output, "deploy:unlock") {
			t.Errorf("a lock is left and the run does not say to run deploy:unlock:\n%s", tail(runs[0].output, 15))
		}
		mustSucceed(t, e.d.run("deploy:unlock"))
	}
	if t.Failed() {
		t.Logf("the run exited %d; before: %s; after: %s; its output ends:\n%s", runs[0].code, before.currents(), after.currents(), tail(runs[0].output, 25))
	}
	e.recover(after)
}

// recover deploys a new version and rolls it back: each serves its own
// set, and the rollback puts every host back where the fault left it.
func (e *assetsEnv) recover(after clusterState) {
	e.t.Helper()
	e.bump()
	if r := e.d.run("deploy", "-s", "release_name=29990101000001"); r.Code != 0 {
		e.t.Fatalf("recovery: deploy exited %d:\n%s", r.Code, r.Output())
	}
	e.served("the recovery deploy")
	if r := e.d.run("deploy:rollback"); r.Code != 0 {
		e.t.Fatalf("recovery: rollback exited %d:\n%s", r.Code, r.Output())
	}
	e.served("the recovery rollback")
	if len(after.split()) == 1 {
		for _, h := range e.c.Hosts {
			if got := e.d.current(h); got != after[h.Name].current {
				e.t.Errorf("recovery: %s: rolled back to %q, want %q", h.Name, got, after[h.Name].current)
			}
		}
	}
}

// assets9Faults are the sweep's columns.
var assets9Faults = []string{"kill-9", "SIGINT", "fail-h3", "sshd-killed-h3"}

// assets9Cells is the whole sweep: flows × steps × faults, 44 cells.
// Every cell held when it was written; it costs minutes, so CI runs
// assets9Compact and LUACAP_ASSETS_SWEEP=full runs it all.
func assets9Cells() []assetsCell {
	rows := []struct {
		flow  string
		steps []string
	}{
		{"deploy", []string{"deploy:lock", "deploy:assets:precompile", "deploy:symlink", "deploy:restart", "deploy:cleanup"}},
		{"deploy:migrations", []string{"deploy:assets:precompile", "deploy:migrate", "deploy:symlink"}},
		{"deploy:rollback", []string{"deploy:lock", "deploy:rollback:revision", "deploy:restart"}},
	}
	var cells []assetsCell
	for _, row := range rows {
		for _, step := range row.steps {
			for _, f := range assets9Faults {
				cells = append(cells, assetsCell{flow: row.flow, step: step, fault: assets9Fault(f)})
			}
		}
	}
	return cells
}

// assets9Compact are the cells CI runs: each fault once, where the
// assets flow has the most to keep right: a signal while the new set is
// aside (undone everywhere); a dead host after the switch of current and
// shared/ (a split fleet); a failure after a migration; a rollback's
// switch killed (the lock left).
var assets9Compact = []assetsCell{
	{"deploy", "deploy:assets:precompile", assets9Fault("SIGINT")},
	{"deploy", "deploy:symlink", assets9Fault("sshd-killed-h3")},
	{"deploy:migrations", "deploy:migrate", assets9Fault("fail-h3")},
	{"deploy:rollback", "deploy:rollback:revision", assets9Fault("kill-9")},
}

// TestAttack9AssetsFaultSweep injects the faults of the fault matrix
// into the assets flow (deploy, deploy:migrations and deploy:rollback
// with assets_shared, three web hosts), each cell on a cluster of its
// own, and checks that every host's current serves its own set, that no
// set a live release kept is lost, and the recovery.
func TestAttack9AssetsFaultSweep(t *testing.T) {
	t.Parallel()
	cells := assets9Compact
	if os.Getenv("LUACAP_ASSETS_SWEEP") == "full" {
		cells = assets9Cells()
	}
	slots := make(chan struct{}, 4) // a cell mostly waits on sshd
	var wg sync.WaitGroup
	for _, cell := range cells {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			t.Run(cell.name(), func(t *testing.T) { cell.run(t) })
		}()
	}
	wg.Wait()
}

// deployed runs a deploy (args after it) that must succeed, and checks
// every host serves its release's own set.
func (e *assetsEnv) deployed(when string, args ...string) {
	e.t.Helper()
	if r := e.d.run(append([]string{"deploy", "-q"}, args...)...); r.Code != 0 {
		e.t.Fatalf("%s: deploy exited %d:\n%s", when, r.Code, r.Output())
	}
	e.served(when)
}

// rolledBack runs a rollback (args after it): it must succeed when ok,
// else fail changing nothing; then every host serves its own set.
func (e *assetsEnv) rolledBack(when string, ok bool, args ...string) {
	e.t.Helper()
	before := readClusterState(e.c)
	r := e.d.run(append([]string{"deploy:rollback", "-q"}, args...)...)
	if ok && r.Code != 0 || !ok && r.Code == 0 {
		e.t.Fatalf("%s: rollback exited %d (want success %v):\n%s", when, r.Code, ok, r.Output())
	}
	if after := readClusterState(e.c); !ok && after.currents() != before.currents() {
		e.t.Errorf("%s: a refused rollback moved %s to %s", when, before.currents(), after.currents())
	}
	e.served(when)
}

// assets_shared turned on while the asset sources do not change: the
// digest is the same, so the new release reuses the set of the release in
// current, which kept its assets in its own public/assets. The reuse
// copied what shared/ served instead (nothing, or an older release's set):
// the deploy succeeded and served no assets. The release left keeps its
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
