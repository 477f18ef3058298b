package spec

import (
	"os"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// Attacks on "releases are never lost": each test is a scenario, found by
// attacking luacap on real hosts, that broke a promise of the README's
// "The deploy flow" / "When a deploy goes wrong" before it was fixed. The
// test names say what the attack did; the tests check it no longer does.

func attackSymlink(t *testing.T, target, link string) {
	t.Helper()
	os.Remove(link)
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// attackLinked checks the release current points at has its linked file
// (the host's paths are not ours: current is read, not followed).
func attackLinked(t *testing.T, d *deployEnv, h *harness.Host) {
	t.Helper()
	if fi, err := os.Lstat(h.Path(shop + "/releases/" + d.current(h) + "/config/database.yml")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("%s: current (%s) does not link config/database.yml to shared/: an unfinished release serving the committed file", h.Name, d.current(h))
	}
}

// A deploy that fails after the switch must put current back where it
// pointed. When current pointed outside releases/ (a hand-made or legacy
// directory) the undo re-links it to releases/<basename>, which does not
// exist; when the basename is not a valid release name (a space) the undo
// removes current. Either way the site is down after a failed deploy.
func TestAttackUndoKeepsCurrentThatPointedOutsideReleases(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	fail := `after("deploy:symlink", function() run_locally("false") end)`
	d := newDeployEnv(t, c, appDeployfile(c, twoApp, fail))
	want := map[string]string{"h1": "/var/www/legacy/app", "h2": "/var/www/legacy/my app"}
	for _, h := range c.Hosts {
		d.write(h.Path(want[h.Name]+"/index.html"), "legacy\n")
		attackSymlink(t, want[h.Name], h.Path(shop+"/current"))
	}
	r := d.run("deploy", "-s", "release_name=20260101000001")
	if r.Code == 0 {
		t.Fatalf("the deploy whose hook failed exited 0:\n%s", r.Output())
	}
	for _, h := range c.Hosts {
		got, err := os.Readlink(h.Path(shop + "/current"))
		if got != want[h.Name] {
			t.Errorf("%s: after the failed deploy current -> %q (%v), want %q as before", h.Name, got, err, want[h.Name])
		}
	}
	if t.Failed() {
		t.Logf("luacap said:\n%s", r.Output())
	}
}

// An undo only removes what its run created. A directory in releases/
// that is not a release (no REVISION, no live marker: a user's copy, a
// hand-made hotfix) and that has the name of the new release made the
// mkdir fail, and the undo then removed it with everything in it. Its
// name is taken now: the release takes the next second, the directory
// stays.
func TestAttackUndoKeepsADirectoryTheRunDidNotMake(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	d := newDeployEnv(t, c, appDeployfile(c, twoApp, ""))
	d.deploy("20260101000100")
	h1 := c.Host("h1")
	d.write(h1.Path(shop+"/releases/20260101000200/keep-me.txt"), "not luacap's\n")
	r := d.run("deploy", "-s", "release_name=20260101000200")
	if _, err := os.Stat(h1.Path(shop + "/releases/20260101000200/keep-me.txt")); err != nil {
		t.Errorf("h1: the directory releases/20260101000200 that luacap did not make was removed (exit %d): %v\n%s",
			r.Code, err, r.Output())
	}
	if r.Code != 0 {
		t.Errorf("the deploy beside a directory of that name: exit %d\n%s", r.Code, r.Output())
	}
	for _, h := range c.Hosts {
		if got := d.current(h); got != "20260101000201" {
			t.Errorf("%s: current = %q, want 20260101000201 (the next free name)", h.Name, got)
		}
	}
}

// README: "A release that never went live (a deploy cut short) is never a
// rollback target". With -s rollback_release naming the release a killed
// deploy left, every host is switched to the unfinished release (no linked
// files), it is marked live, and the only good release is removed.
func TestAttackRollbackReleaseRefusesANeverLiveRelease(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	kill := `after("deploy:create_release", function()
  if fetch("release_name") == "20260101000002" then run_locally("kill -9 $PPID; sleep 5") end
end)`
	d := newDeployEnv(t, c, appDeployfile(c, twoApp, kill))
	d.deploy("20260101000001")
	if r := d.run("deploy", "-s", "release_name=20260101000002"); r.Code == 0 {
		t.Fatalf("the killed deploy exited 0:\n%s", r.Output())
	}
	mustSucceed(t, d.run("deploy:unlock", "-q"))
	r := d.run("deploy:rollback", "-s", "rollback_release=20260101000002")
	if r.Code == 0 {
		t.Errorf("a rollback to a release that never went live exited 0:\n%s", r.Output())
	}
	for _, h := range c.Hosts {
		if got := d.current(h); got != "20260101000001" {
			t.Errorf("%s: current = %s, want the good release 20260101000001", h.Name, got)
		}
		if _, err := os.Stat(h.Path(shop + "/releases/20260101000001/REVISION")); err != nil {
			t.Errorf("%s: the good release 20260101000001 is gone: %v", h.Name, err)
		}
		attackLinked(t, d, h)
	}
}

// "Went live" is read from revisions.log for releases without the marker:
// any line "deployed as release NAME by" counts, even one left by an
// earlier release of the same name that was rolled back and removed. A
// release name reused after a rollback (a CI that names releases by tag and
// re-deploys the tag) and cut short by kill -9 then counts as good: cleanup
// keeps it and a rollback switches every host to it.
func TestAttackReusedNameIsNotLiveFromAnOldLogLine(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	kill := `after("deploy:create_release", function()
  if os.getenv("KILLME") == "1" then run_locally("kill -9 $PPID; sleep 5") end
end)`
	d := newDeployEnv(t, c, appDeployfile(c, twoApp, kill))
	d.deploy("v1")
	d.deploy("v2")
	mustSucceed(t, d.run("deploy:rollback", "-q"))
	d.expectState("v1", "v1")
	d.env = []string{"KILLME=1"}
	if r := d.run("deploy", "-s", "release_name=v2"); r.Code == 0 {
		t.Fatalf("the killed deploy exited 0:\n%s", r.Output())
	}
	d.env = nil
	mustSucceed(t, d.run("deploy:unlock", "-q"))
	d.deploy("v3")
	r := d.run("deploy:rollback")
	for _, h := range c.Hosts {
		if got := d.current(h); got != "v1" {
			t.Errorf("%s: the rollback from v3 went to %q, want v1 (v2 never went live: it was cut short by kill -9)", h.Name, got)
		}
		attackLinked(t, d, h)
	}
	if t.Failed() {
		t.Logf("rollback exit %d:\n%s", r.Code, r.Output())
	}
}

// Hosts set up by Capistrano 2, or whose revisions.log was rotated, have
// releases with REVISION but no log line. The release that is current when
// the first luacap deploy takes the lock was live: luacap read it as
// current. That deploy's own cleanup removes it as "never went live", and
// the rollback right after the deploy has nothing to go back to.
func TestAttackFirstDeployKeepsTheReleaseThatWasLive(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	d := newDeployEnv(t, c, appDeployfile(c, twoApp, ""))
	for _, h := range c.Hosts {
		for _, rel := range []string{"20250101000001", "20250101000002"} {
			d.write(h.Path(shop+"/releases/"+rel+"/REVISION"), "abc123\n")
			d.write(h.Path(shop+"/releases/"+rel+"/public/index.html"), "cap\n")
		}
		attackSymlink(t, shop+"/releases/20250101000002", h.Path(shop+"/current"))
	}
	d.deploy("20260101000001")
	for _, h := range c.Hosts {
		if _, err := os.Stat(h.Path(shop + "/releases/20250101000002/REVISION")); err != nil {
			t.Errorf("%s: release 20250101000002, current until this deploy, was removed by its cleanup", h.Name)
		}
	}
	r := d.run("deploy:rollback")
	for _, h := range c.Hosts {
		if got := d.current(h); got != "20250101000002" {
			t.Errorf("%s: after deploy + rollback current = %q, want 20250101000002 (exit %d)", h.Name, got, r.Code)
		}
	}
	if t.Failed() {
		t.Logf("rollback said:\n%s", strings.TrimSpace(r.Output()))
	}
}

// A symlink at .luacap.lock pointing at a secret: is its content printed?
func TestAttackLockSymlinkIsNotRead(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	d := newDeployEnv(t, c, appDeployfile(c, twoApp, ""))
	d.write(c.Host("h1").Path(shop+"/shared/config/secret.yml"), "password: hunter2\n")
	attackSymlink(t, shop+"/shared/config/secret.yml", c.Host("h1").Path(shop+"/.luacap.lock"))
	r := d.run("deploy", "-s", "release_name=20260101000001")
	if strings.Contains(r.Output(), "hunter2") {
		t.Errorf("deploy printed the file .luacap.lock links to (exit %d):\n%s", r.Code, r.Stderr)
	}
	r = d.run("deploy:unlock")
	if strings.Contains(r.Output(), "hunter2") {
		t.Errorf("deploy:unlock printed the file .luacap.lock links to:\n%s", r.Stdout)
	}
	if _, err := os.Stat(c.Host("h1").Path(shop + "/shared/config/secret.yml")); err != nil {
		t.Errorf("the file the lock linked to is gone: %v", err)
	}
}

// deploy:unlock run while a deploy is in flight (someone thinks it is
// stale), then another deploy: that deploy's cleanup removes the first
// one's release as "never went live", and the first, resuming, links and
// switches every host to what is left of it: a release with no code.
func TestAttackRunThatLostItsLockChangesNothing(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	d := newDeployEnv(t, c, appDeployfile(c, twoApp, holdAt("deploy:finalize_update", "20260101000002")))
	d.deploy("20260101000001")
	first, firstOut := d.start("alice", "deploy", "-s", "release_name=20260101000002")
	waitForFile(t, d.dir+"/at")
	mustSucceed(t, d.run("deploy:unlock", "-q"))
	d.deploy("20260101000003")
	touch(t, d.dir+"/go")
	err := first.Wait()
	for _, h := range c.Hosts {
		cur := d.current(h)
		if _, serr := os.Stat(h.Path(shop + "/releases/" + cur + "/public/index.html")); serr != nil {
			t.Errorf("%s: current = %s, which has no code (public/index.html missing); the first deploy: %v", h.Name, cur, err)
		}
	}
	if t.Failed() {
		t.Logf("the first deploy said:\n%s", lastLines(firstOut.String(), 6))
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
