package spec

import (
	"os"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

func TestSecondDeployFailsWhileTheLockIsHeld(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	wait := `before("deploy:create_release", function()
  if fetch("release_name") == "20260101000001" then
    run_locally("touch holding; while [ ! -f release ]; do sleep 0.05; done")
  end
end)`
	d := newDeployEnv(t, c, appDeployfile(c, map[string]string{"h1": `"app"`, "h2": `"app"`}, wait))
	first, firstOut := d.start("alice", "deploy", "-s", "release_name=20260101000001", "-q")
	waitForFile(t, d.dir+"/holding")

	r := d.run("deploy", "-s", "release_name=20260101000002")
	if r.Code != 1 || !strings.Contains(r.Stderr, "deploy locked by alice@") ||
		!strings.Contains(r.Stderr, "for release 20260101000001; wait for it to finish, pass --lock-wait SECONDS") {
		t.Errorf("the second deploy: exit %d\n%s", r.Code, r.Output())
	}

	touch(t, d.dir+"/release")
	if err := first.Wait(); err != nil {
		t.Fatalf("the first deploy failed: %v\n%s", err, firstOut.String())
	}
	d.expectState("20260101000001", "20260101000001")

	// A stale lock, as a killed deploy leaves it: refused, then removed.
	d.write(c.Host("h2").Path(shop+"/.luacap.lock/info"), "bob@laptop since long ago for release 1\n")
	if r := d.run("deploy", "-s", "release_name=20260101000003"); r.Code != 1 || !strings.Contains(r.Stderr, "h2: deploy locked by bob@laptop") {
		t.Errorf("stale lock: exit %d\n%s", r.Code, r.Output())
	}
	mustSucceed(t, d.run("deploy:unlock", "-q"))
	d.deploy("20260101000003")
}

// A lock whose record is empty (a full disk, a holder between open and
// write in an older luacap) is held: the deploy fails and leaves it;
// before, it was taken over and then removed.
func TestLockWithoutRecordIsHeld(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	d := newDeployEnv(t, c, appDeployfile(c, twoApp, ""))
	d.deploy("20260101000001")
	for _, lock := range []string{"", "dir"} {
		path := c.Host("h2").Path(shop + "/.luacap.lock")
		if lock == "dir" { // an older luacap's lock: a directory with no info
			if err := os.Mkdir(path, 0o755); err != nil {
				t.Fatal(err)
			}
		} else {
			d.write(path, "")
		}
		r := d.run("deploy", "-s", "release_name=20260101000002")
		if r.Code != 1 || !strings.Contains(r.Stderr, "h2: deploy locked by someone (the lock holds no record)") {
			t.Errorf("%q lock: exit %d\n%s", lock, r.Code, r.Output())
		}
		if _, err := os.Stat(path); err != nil {
			t.Errorf("%q lock: the lock was removed by a run that did not hold it", lock)
		}
		if _, err := os.Stat(c.Host("h1").Path(shop + "/.luacap.lock")); err == nil {
			t.Errorf("%q lock: h1's lock, taken by the failed run, was left behind", lock)
		}
		mustSucceed(t, d.run("deploy:unlock", "-q"))
	}
	d.deploy("20260101000003")
}

// Only the run that holds a lock removes it: a deploy whose lock was
// removed by deploy:unlock and taken by another run does not switch
// current (nothing changes), and leaves that lock alone when it ends.
// deploy:unlock says whose lock it removed.
func TestOnlyTheHolderRemovesItsLock(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	d := newDeployEnv(t, c, appDeployfile(c, twoApp, holdAt("deploy:create_release", "20260101000001")))
	first, firstOut := d.start("alice", "deploy", "-s", "release_name=20260101000001", "-q")
	waitForFile(t, d.dir+"/at")
	r := d.run("deploy:unlock")
	mustSucceed(t, r)
	if !strings.Contains(r.Stdout, "removed the lock of alice@") || !strings.Contains(r.Stdout, "running deploy for release 20260101000001") {
		t.Errorf("deploy:unlock does not say whose lock it removed:\n%s", r.Stdout)
	}
	for _, h := range c.Hosts {
		d.write(h.Path(shop+"/.luacap.lock"), "carol@ci (pid 7) since now, running deploy for release 20260101000002\n")
	}
	touch(t, d.dir+"/go")
	if err := first.Wait(); err == nil || !strings.Contains(firstOut.String(), "the deploy lock here is no longer this run's") {
		t.Errorf("the deploy that lost its lock: %v\n%s", err, firstOut.String())
	}
	for _, h := range c.Hosts {
		if got := d.current(h); got != "" {
			t.Errorf("%s: current = %q, want none: the run that lost its lock switched it", h.Name, got)
		}
	}
	for _, h := range c.Hosts {
		if got := readString(t, h.Path(shop+"/.luacap.lock")); !strings.HasPrefix(got, "carol@ci") {
			t.Errorf("%s: carol's lock was removed by alice's run (now %q)", h.Name, got)
		}
	}
	r = d.run("deploy:unlock")
	if !strings.Contains(r.Stdout, "removed the lock of carol@ci (pid 7)") {
		t.Errorf("deploy:unlock:\n%s", r.Stdout)
	}
	if r = d.run("deploy:unlock"); !strings.Contains(r.Stdout, "no lock here") {
		t.Errorf("deploy:unlock with no lock:\n%s", r.Stdout)
	}
}
