package spec

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// A commit that lands in the repository while a deploy runs, wherever it
// lands between the deploy's local steps (the copy's pack, the assets'
// digest and checkout, the lock, the build), goes neither into its code
// nor into its assets: the branch is read once, as the deploy starts, and
// the code, REVISION and the assets are all of that commit. A hook that
// commits stands in for the developer (or the CI merge) who commits then.
func TestCodeAndAssetsAreOfTheCommitTheDeployStartedWith(t *testing.T) {
	t.Parallel()
	points := []string{
		`after("deploy:strategy:prepare", commit)`, // between the pack and the digest
		`after("deploy:assets:prepare", commit)`,   // between the digest and the check
		`after("deploy:lock", commit)`,             // before the build and the upload
	}
	c := harness.Start(t, 1, harness.Options{})
	h := c.Hosts[0]
	hooks := `
local function commit()
  run_locally({ "sh", "-c", 'cd "$1" && echo 9 > app/assets/version && git add -A && ` +
		`git -c user.name=dev -c user.email=dev@example.com commit -qm landed', "sh", os.getenv("REPO") })
end
local at = tonumber(os.getenv("COMMIT_AT") or "0")
`
	for i, p := range points {
		hooks += "if at == " + string(rune('1'+i)) + " then " + p + " end\n"
	}
	s := newSharedAssetsWith(t, c, hooks)
	s.release("1", "20260101000001")
	for i, point := range points {
		s.write(filepath.Join(s.repo, "app/assets/version"), "2\n")
		started := commitAll(t, s.repo, "v2")
		s.env = []string{"REPO=" + s.repo, "COMMIT_AT=" + string(rune('1'+i))}
		name := "2026010100001" + string(rune('0'+i))
		s.deploy(name)
		rel := shop + "/releases/" + name
		rev := strings.TrimSpace(readString(t, h.Path(rel+"/REVISION")))
		code := strings.TrimSpace(readString(t, h.Path(rel+"/app/assets/version")))
		assets := strings.TrimSpace(readString(t, h.Path(rel+"/.luacap-assets/manifest.txt")))
		if rev != started || code != "2" || assets != "app-2.css" {
			t.Errorf("a commit %s: REVISION %s (the deploy started at %s), code version %s, assets %s; want all of version 2",
				point, rev, started, code, assets)
		}
		if head := strings.TrimSpace(git(t, s.repo, "rev-parse", "HEAD")); head == started {
			t.Fatalf("a commit %s: the hook made no commit", point)
		}
	}
}
