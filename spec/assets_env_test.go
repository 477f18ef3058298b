package spec

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// assetsEnv drives the assets flow (use("rails/assets_local") with
// assets_shared) on real hosts and checks what they serve: what current
// serves must always be its own set. The fault sweep of the assets flow
// and the attacks of attacks9_test.go use it.

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

// newAssetsEnv writes the Deployfile: the fault matrix's fault points
// (faultPoints) after every step of assets9Steps; extra is added at the
// end.
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
%s`, sshOptions(c, deadHost), assets9Build, faultPoints("web", dir, assets9Steps))
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
