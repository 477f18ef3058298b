package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// Attacks on local_tempdir, the directory the copy strategy packs into
// and the assets build in, through the TMPDIR it is made in.

// Whatever TMPDIR holds (spaces, quotes, $, a new line, a leading dash,
// a symbolic link, a path relative to where luacap runs), the copy
// strategy packs the commit there, the assets are built there, the
// release is whole, and nothing is left in TMPDIR once the deploy ends.
func TestAttackHostileTMPDIRForThePackAndTheAssets(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	s := newSharedAssetsWith(t, c, "")
	base := t.TempDir()
	hostile := filepath.Join(base, "a b'c\"$HOME`x`\n-d")
	link := filepath.Join(base, "link")
	relative := filepath.Join(s.dir, "tmp")
	for _, dir := range []string{hostile, relative, filepath.Join(base, "target")} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(base, "target"), link); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, tmpdir, look string }{
		{"quotes, $, ` and a new line", hostile, hostile},
		{"a symbolic link", link, link},
		{"relative to where luacap runs", "tmp", relative},
	}
	for i, tc := range cases {
		v := string(rune('1' + i))
		s.write(filepath.Join(s.repo, "app/assets/version"), v+"\n")
		started := commitAll(t, s.repo, "v"+v)
		s.env = []string{"TMPDIR=" + tc.tmpdir}
		name := "2026010100000" + v
		if r := s.run("deploy", "-s", "release_name="+name); r.Code != 0 {
			t.Errorf("TMPDIR %s: exit %d:\n%s", tc.name, r.Code, tail(r.Output(), 8))
			continue
		}
		h := c.Hosts[0]
		rel := shop + "/releases/" + name
		rev := strings.TrimSpace(readString(t, h.Path(rel+"/REVISION")))
		assets := strings.TrimSpace(readString(t, h.Path(rel+"/.luacap-assets/manifest.txt")))
		if rev != started || assets != "app-"+v+".css" {
			t.Errorf("TMPDIR %s: REVISION %s, assets %s; want %s and app-%s.css", tc.name, rev, assets, started, v)
		}
		if left, _ := os.ReadDir(tc.look); len(left) != 0 {
			t.Errorf("TMPDIR %s: the deploy left %v there", tc.name, left)
		}
	}
}

// The copy strategy reads the branch from repo_url, the assets from
// local_repo: one repository written two ways (an absolute path and a
// relative one) is still read once, and a commit landing between the two reads goes into neither
// the code nor the assets.
func TestAttackOneRepositoryWrittenTwoWaysIsReadOnce(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	s := newSharedAssetsWith(t, c, `
local function commit()
  run_locally({ "sh", "-c", 'cd "$1" && echo 9 > app/assets/version && date +%N >> churn && git add -A && `+
		`git -c user.name=dev -c user.email=dev@example.com commit -qm landed', "sh", os.getenv("REPO") })
end
set("repo_url", os.getenv("REPO_URL"))
set("local_repo", os.getenv("LOCAL_REPO"))
after("deploy:strategy:prepare", commit)
after("deploy:assets:prepare", commit)
`)
	spellings := []struct{ name, repoURL, localRepo string }{
		{"absolute and relative", s.repo, "repo"},
		{"relative and absolute", "repo", s.repo},
	}
	h := c.Hosts[0]
	for i, sp := range spellings {
		v := string(rune('1' + i))
		s.write(filepath.Join(s.repo, "app/assets/version"), v+"\n")
		started := commitAll(t, s.repo, "v"+v)
		s.env = []string{"REPO=" + s.repo, "REPO_URL=" + sp.repoURL, "LOCAL_REPO=" + sp.localRepo}
		name := "2026010100000" + v
		s.deploy(name)
		rel := shop + "/releases/" + name
		rev := strings.TrimSpace(readString(t, h.Path(rel+"/REVISION")))
		code := strings.TrimSpace(readString(t, h.Path(rel+"/app/assets/version")))
		assets := strings.TrimSpace(readString(t, h.Path(rel+"/.luacap-assets/manifest.txt")))
		if rev != started || code != v || assets != "app-"+v+".css" {
			t.Errorf("%s: REVISION %s (the deploy started at %s), code version %s, assets %s; want all of version %s",
				sp.name, rev, started, code, assets, v)
		}
	}
}
