package spec

import (
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

func TestSecondDeployFailsWhileTheLockIsHeld(t *testing.T) {
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
