package spec

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// Attacks on the clean checkout started as the deploy starts (before the
// lock) and on the build that follows it.

// A branch that names no commit, given on the command line or set by a
// hook before the lock: the deploy failed with git's "fatal: Needed a
// single revision", which names neither the branch nor the repository.
// The error names both; nothing is switched.
func TestAttackAssetsOfABranchWithNoCommitSayWhich(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	s := newSharedAssetsWith(t, c, `
local to = os.getenv("NEW_BRANCH")
if to then before("deploy:lock", function() set("branch", to) end) end
`)
	s.release("1", "20260101000001")
	s.write(filepath.Join(s.repo, "app/assets/version"), "2\n")
	commitAll(t, s.repo, "v2")
	for _, how := range []struct {
		env  []string
		args []string
	}{
		{nil, []string{"-s", "branch=nope"}},
		{[]string{"NEW_BRANCH=nope"}, nil},
	} {
		s.env = how.env
		r := s.run(append([]string{"deploy", "-s", "release_name=20260101000002"}, how.args...)...)
		if r.Code != 1 {
			t.Errorf("%v %v: exit %d", how.env, how.args, r.Code)
		}
		if want := "branch nope names no commit in the repository repo"; !strings.Contains(r.Stderr, want) {
			t.Errorf("%v %v: the error does not say %q:\n%s", how.env, how.args, want, r.Stderr)
		}
		s.expectState("20260101000001", "20260101000001")
		s.servesManifest("after the deploy of no commit", "20260101000001", "1")
	}
}
