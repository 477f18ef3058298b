package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// sharedAssets is an app whose assets, built locally, are served from
// shared/ with assets_shared.
type sharedAssets struct {
	*deployEnv
	repo string
}

func newSharedAssets(t *testing.T, c *harness.Cluster) *sharedAssets {
	t.Helper()
	return newSharedAssetsWith(t, c, `
after("deploy:symlink", function()
  on(roles("web"), function() execute("[ ! -f /var/www/fail-after-switch ]") end)
end)
`)
}

// newSharedAssetsWith is the shared-assets scenario on every host of c as
// a web host, its build command taken from $BUILD when set, with extra
// appended to the Deployfile.
func newSharedAssetsWith(t *testing.T, c *harness.Cluster, extra string) *sharedAssets {
	t.Helper()
	roles := map[string]string{}
	for _, h := range c.Hosts {
		roles[h.Name] = `"web"`
	}
	d := newDeployEnv(t, c, appDeployfile(c, roles, `
set("copy_source", nil)
set("repo_url", "repo")
set("local_repo", "repo")
set("linked_dirs", { "log", "tmp/pids", "public/assets" })
use("rails/assets_local")
set("assets_shared", os.getenv("ASSETS_SHARED") ~= "0")
set("assets_build_command", os.getenv("BUILD") or "mkdir -p public/assets && v=$(cat app/assets/version) && echo $v > public/assets/app-$v.css && echo app-$v.css > public/assets/manifest.txt")
`+extra))
	s := &sharedAssets{deployEnv: d, repo: filepath.Join(d.dir, "repo")}
	gitRepo(t, s.repo, map[string]string{"app/assets/version": "0\n"})
	return s
}

// release commits asset version v and deploys it as release name.
func (s *sharedAssets) release(v, name string) {
	s.t.Helper()
	s.write(filepath.Join(s.repo, "app/assets/version"), v+"\n")
	commitAll(s.t, s.repo, "v"+v)
	s.deploy(name)
}

// servesManifest checks that every host's current is release and that
// shared/ serves the manifest of asset version v: the manifest the live
// code reads must be its own.
func (s *sharedAssets) servesManifest(when, release, v string) {
	s.t.Helper()
	for _, h := range s.c.Hosts {
		if got := s.current(h); got != release {
			s.t.Errorf("%s: %s: current = %q, want %q", when, h.Name, got, release)
		}
		got := strings.TrimSpace(readString(s.t, h.Path(shop+"/shared/public/assets/manifest.txt")))
		if got != "app-"+v+".css" {
			s.t.Errorf("%s: %s: shared/ serves the manifest %q while current is %s, want app-%s.css", when, h.Name, got, release, v)
		}
	}
}

// A rollback whose switch fails on one host is undone on every host:
// current goes back to the newer release, and shared/ must serve that
// release's manifest again, not the one of the release the rollback was
// going to. A directory where the switch writes its new link makes the
// switch fail there.
func TestARollbackUndoneOnOneHostServesTheManifestOfCurrent(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	s := newSharedAssets(t, c)
	s.release("1", "20260101000001")
	s.release("2", "20260101000002")
	s.write(c.Hosts[1].Path(shop+"/current.luacap-new/blocker"), "")
	if r := s.run("deploy:rollback"); r.Code == 0 {
		t.Fatalf("a rollback whose switch failed on %s succeeded:\n%s", c.Hosts[1].Name, r.Output())
	}
	s.servesManifest("an undone rollback", "20260101000002", "2")
}

// A user turns assets_shared on: the first release deployed with it
// switches away from a release that kept no set of its own. Rolling back
// to that release, or undoing the deploy after its switch, must serve
// that release's manifest again: the set shared/ served until the switch.
func TestTurningOnSharedAssetsKeepsTheSetOfTheReleaseLeft(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	s := newSharedAssets(t, c)
	s.env = []string{"ASSETS_SHARED=0"}
	s.release("1", "20260101000001")
	s.servesManifest("a deploy without assets_shared", "20260101000001", "1")
	s.env = nil

	s.write(filepath.Join(s.repo, "app/assets/version"), "2\n")
	commitAll(t, s.repo, "v2")
	s.write(c.Hosts[0].Path("/var/www/fail-after-switch"), "")
	if r := s.run("deploy", "-s", "release_name=20260101000002"); r.Code == 0 {
		t.Fatalf("a deploy failing after the switch succeeded:\n%s", r.Output())
	}
	s.servesManifest("a deploy undone after its switch", "20260101000001", "1")

	os.Remove(c.Hosts[0].Path("/var/www/fail-after-switch"))
	s.deploy("20260101000003")
	s.servesManifest("the first deploy with assets_shared", "20260101000003", "2")
	mustSucceed(t, s.run("deploy:rollback"))
	s.servesManifest("a rollback to the release deployed without assets_shared", "20260101000001", "1")
}
