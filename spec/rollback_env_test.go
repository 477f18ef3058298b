package spec

import (
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// ROLLBACK_RELEASE=NAME, Capistrano's way to name the release to roll
// back to, is the setting rollback_release; -s rollback_release wins
// over it, and a name that is no rollback target fails as with -s.
func TestRollbackReleaseFromTheEnvironment(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	d := newDeployEnv(t, c, appDeployfile(c, twoApp, ""))
	for _, rel := range []string{"20260101000001", "20260101000002", "20260101000003", "20260101000004"} {
		d.deploy(rel)
	}
	d.env = []string{"ROLLBACK_RELEASE=20260101000009"}
	r := d.run("deploy:rollback")
	if r.Code != 1 || !strings.Contains(r.Stderr, "release 20260101000009 is not on h1, h2; nothing was changed") {
		t.Errorf("ROLLBACK_RELEASE naming no release: exit %d\n%s", r.Code, r.Output())
	}
	d.expectState("20260101000004", "20260101000001", "20260101000002", "20260101000003", "20260101000004")

	d.env = []string{"ROLLBACK_RELEASE=20260101000002"}
	mustSucceed(t, d.run("deploy:rollback", "-q"))
	d.expectState("20260101000002", "20260101000001", "20260101000002", "20260101000003")

	// -s wins over the environment, which still names 20260101000002.
	mustSucceed(t, d.run("deploy:rollback", "-q", "-s", "rollback_release=20260101000001"))
	d.expectState("20260101000001", "20260101000001", "20260101000003")
}
