package spec

import (
	"os"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

var twoApp = map[string]string{"h1": `"app"`, "h2": `"app"`}

// holdAt makes the deploy named release wait before step until the file
// "go" appears in the Deployfile's directory, after touching "at".
func holdAt(step, release string) string {
	return `before("` + step + `", function()
  if fetch("release_name") == "` + release + `" then
    run_locally("touch at; while [ ! -f go ]; do sleep 0.05; done")
  end
end)`
}

// Two deploys that start in the same second get the same name. The second
// must take the next name and leave the first's release alone: before, its
// mkdir failed and its undo removed the live release on every host.
func TestSameReleaseNameTwiceTakesTheNextSecond(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	d := newDeployEnv(t, c, appDeployfile(c, twoApp, ""))
	d.deploy("20260101000059")
	r := d.run("deploy", "-s", "release_name=20260101000059")
	mustSucceed(t, r)
	if !strings.Contains(r.Stdout, "release 20260101000059 is taken or older than the newest release; this release is 20260101000100") {
		t.Errorf("the output does not say the release moved on:\n%s", r.Stdout)
	}
	d.expectState("20260101000100", "20260101000059", "20260101000100")
	for _, h := range c.Hosts {
		for _, rel := range []string{"20260101000059", "20260101000100"} {
			if _, err := os.Stat(h.Path(shop + "/releases/" + rel + "/.luacap-live")); err != nil {
				t.Errorf("%s: release %s has no live marker: %v", h.Name, rel, err)
			}
		}
	}
}

// A name that sorts before the newest release cannot be moved on unless it
// is a timestamp: refused before anything changes.
func TestReleaseNameBeforeTheNewestIsRefused(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	d := newDeployEnv(t, c, appDeployfile(c, map[string]string{"h1": `"app"`}, ""))
	d.deploy("v2")
	r := d.run("deploy", "-s", "release_name=v1")
	if r.Code != 1 || !strings.Contains(r.Stderr, "release_name v1 sorts before the newest release, v2") {
		t.Errorf("exit %d:\n%s", r.Code, r.Output())
	}
	d.expectState("v2", "v2")
}

// The README's --lock-wait with two CI merges at once: the waiting deploy
// computed the same name at start. It must deploy under the next name and
// keep the winner's release.
func TestLockWaitDeploysUnderTheNextName(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	d := newDeployEnv(t, c, appDeployfile(c, twoApp, holdAt("deploy:create_release", "20260101000010")))
	d.deploy("20260101000001")
	first, firstOut := d.start("alice", "deploy", "-s", "release_name=20260101000010", "-q")
	waitForFile(t, d.dir+"/at")
	second, secondOut := d.start("bob", "deploy", "-s", "release_name=20260101000010", "--lock-wait", "60", "-q")
	touch(t, d.dir+"/go")
	if err := first.Wait(); err != nil {
		t.Fatalf("the first deploy: %v\n%s", err, firstOut.String())
	}
	if err := second.Wait(); err != nil {
		t.Fatalf("the waiting deploy: %v\n%s", err, secondOut.String())
	}
	d.expectState("20260101000011", "20260101000001", "20260101000010", "20260101000011")
}

// Two deploys that both wait for the lock never deadlock (each holding
// some hosts and waiting on the others): both finish, one after the other.
func TestTwoWaitingDeploysBothFinish(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 4, harness.Options{})
	d := newDeployEnv(t, c, appDeployfile(c, fourApp, ""))
	for round := 0; round < 3; round++ {
		a, aOut := d.start("alice", "deploy", "--lock-wait", "120", "-q")
		b, bOut := d.start("bob", "deploy", "--lock-wait", "120", "-q")
		if err := a.Wait(); err != nil {
			t.Fatalf("round %d, alice: %v\n%s", round, err, aOut.String())
		}
		if err := b.Wait(); err != nil {
			t.Fatalf("round %d, bob: %v\n%s", round, err, bOut.String())
		}
	}
	want := d.current(c.Hosts[0])
	for _, h := range c.Hosts {
		if got := d.current(h); got != want {
			t.Errorf("%s is on %s, %s on %s", h.Name, got, c.Hosts[0].Name, want)
		}
		if rels := d.releases(h); len(rels) != 5 {
			t.Errorf("%s: releases = %v, want 5 (keep_releases) after 6 deploys", h.Name, rels)
		}
	}
}

// kill -9 during the code step: the release on the servers was finished
// by tar after luacap died but never went live. After unlock, deploy and
// rollback, every host is on the good release it had, which still exists;
// before, the rollback switched to the unfinished release and the good one
// had been removed.
func TestKilledDeployNeverCountsAsGood(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	kill := `after("deploy:create_release", function()
  if fetch("release_name") == "20260101000002" then run_locally("kill -9 $PPID; sleep 5") end
end)`
	d := newDeployEnv(t, c, appDeployfile(c, twoApp, kill))
	d.deploy("20260101000001")
	if r := d.run("deploy", "-s", "release_name=20260101000002"); r.Code != -1 && r.Code != 137 {
		t.Fatalf("the killed deploy exited %d:\n%s", r.Code, r.Output())
	}
	mustSucceed(t, d.run("deploy:unlock", "-q"))
	d.deploy("20260101000003")
	d.expectState("20260101000003", "20260101000001", "20260101000003")
	mustSucceed(t, d.run("deploy:rollback", "-q"))
	d.expectState("20260101000001", "20260101000001")
}

// Hosts on different releases are not rolled back blindly: the rollback
// names each host's release and the command; with rollback_release every
// host goes to that release.
func TestRollbackRefusesAFleetSplitAndTakesATarget(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 4, harness.Options{})
	d := newDeployEnv(t, c, appDeployfile(c, fourApp, ""))
	d.deploy("20260101000001")
	d.deploy("20260101000002")
	d.deploy("20260101000003", "--hosts", "h1,h2,h3")
	r := d.run("deploy:rollback")
	for _, want := range []string{
		"the hosts are not on one release: h1, h2, h3 on 20260101000003; h4 on 20260101000002",
		"deploy:rollback -s rollback_release=NAME",
	} {
		if r.Code != 1 || !strings.Contains(r.Stderr, want) {
			t.Errorf("exit %d; stderr lacks %q:\n%s", r.Code, want, r.Stderr)
		}
	}
	for _, h := range c.Hosts {
		want := map[string]string{"h4": "20260101000002"}[h.Name]
		if want == "" {
			want = "20260101000003"
		}
		if got := d.current(h); got != want {
			t.Errorf("%s: current = %s after a refused rollback, want %s", h.Name, got, want)
		}
	}
	mustSucceed(t, d.run("deploy:rollback", "-s", "rollback_release=20260101000001", "-q"))
	for _, h := range c.Hosts {
		if got := d.current(h); got != "20260101000001" {
			t.Errorf("%s: current = %s, want 20260101000001", h.Name, got)
		}
	}
	r = d.run("deploy:rollback", "-s", "rollback_release=20260101000009")
	if r.Code != 1 || !strings.Contains(r.Stderr, "release 20260101000009 is not on h1, h2, h3, h4; nothing was changed") {
		t.Errorf("an unknown rollback_release: exit %d\n%s", r.Code, r.Output())
	}
}
