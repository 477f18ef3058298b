package spec

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// A commit made at a fixed time, so that REVISION_TIME cannot be taken
// for the time of the deploy.
const commitDate = "2020-01-02T03:04:05Z"

// revisionTimeHook writes fetch("current_revision_time") of each run
// into a file here, "nil" when there is none.
const revisionTimeHook = `
after("deploy:updated", function()
  run_locally({ "sh", "-c", "echo \"$1\" > revision_time", "sh", tostring(fetch("current_revision_time")) })
end)
`

// Capistrano 3 writes REVISION_TIME, the deployed commit's committer time
// in epoch seconds, beside REVISION. Every strategy that deploys a commit
// does; a directory copy has no commit, and no REVISION_TIME.
func TestRevisionTimeIsTheDeployedCommitsTime(t *testing.T) {
	t.Setenv("GIT_COMMITTER_DATE", commitDate)
	cases := []struct {
		name, settings string
		args           []string
		commit         bool
	}{
		{"remote_cache", `set("deploy_via", "remote_cache")
set("repo_url", "/var/www/repo.git")`, nil, true},
		{"copy of a repository", `set("copy_source", nil)
set("repo_url", "repo")`, nil, true},
		{"copy of a directory", ``, nil, false},
	}
	c := harness.Start(t, 2, harness.Options{})
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := newDeployEnv(t, c, appDeployfile(c, twoApp, tc.settings+revisionTimeHook))
			repo := filepath.Join(d.dir, "repo")
			gitRepo(t, repo, appFiles)
			for _, h := range c.Hosts {
				os.RemoveAll(h.Path("/var/www/repo.git"))
				if out, err := exec.Command("git", "clone", "-q", "--bare", repo, h.Path("/var/www/repo.git")).CombinedOutput(); err != nil {
					t.Fatalf("%v %s", err, out)
				}
			}
			release := "2026010100000" + string(rune('1'+i))
			d.deploy(release)
			want := strings.TrimSpace(git(t, repo, "log", "-1", "--format=%ct")) + "\n"
			if want != "1577934245\n" {
				t.Fatalf("the commit's time is %q, not %s: the test proves nothing", want, commitDate)
			}
			if !tc.commit {
				want = ""
			}
			expectRevisionTime(t, c, d, release, want)
		})
	}
}

// Through an intermediary, the archive prepare_release packed carries
// REVISION_TIME beside REVISION.
func TestRevisionTimeThroughAnIntermediary(t *testing.T) {
	t.Setenv("GIT_COMMITTER_DATE", commitDate)
	c, d, _ := twoPhaseEnv(t, 2)
	d.write(filepath.Join(d.dir, "Deployfile.lua"), readString(t, filepath.Join(d.dir, "Deployfile.lua"))+revisionTimeHook)
	mustSucceed(t, d.run("deploy:prepare_release", "-s", "release_name=20260101000000", "-q"))
	d.deploy("20260101000001", "-s", "deploy_via=intermediate_host")
	expectRevisionTime(t, c, d, "20260101000001_20260101000000", "1577934245\n")
}

// expectRevisionTime checks every host's release holds REVISION_TIME
// want ("" for none), and that fetch("current_revision_time") read it.
func expectRevisionTime(t *testing.T, c *harness.Cluster, d *deployEnv, release, want string) {
	t.Helper()
	for _, h := range c.Hosts {
		got, err := os.ReadFile(h.Path(shop + "/releases/" + release + "/REVISION_TIME"))
		if want == "" && !os.IsNotExist(err) {
			t.Errorf("%s: a release without a commit has REVISION_TIME %q (%v)", h.Name, got, err)
		}
		if want != "" && string(got) != want {
			t.Errorf("%s: REVISION_TIME = %q (%v), want %q", h.Name, got, err, want)
		}
	}
	fetched := strings.TrimSuffix(want, "\n")
	if want == "" {
		fetched = "nil"
	}
	if got := readString(t, filepath.Join(d.dir, "revision_time")); got != fetched+"\n" {
		t.Errorf("fetch(\"current_revision_time\") = %q, want %q", got, fetched)
	}
}
