package spec

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// gitRepo makes a repository at dir with the app committed on main and
// returns the commit.
func gitRepo(t *testing.T, dir string, files map[string]string) string {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git(t, dir, "init", "-q", "-b", "main")
	return commitAll(t, dir, "app")
}

func commitAll(t *testing.T, dir, msg string) string {
	t.Helper()
	git(t, dir, "add", "-A")
	git(t, dir, "-c", "user.name=dev", "-c", "user.email=dev@example.com", "commit", "-q", "-m", msg)
	return strings.TrimSpace(git(t, dir, "rev-parse", "HEAD"))
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

var appFiles = map[string]string{"public/index.html": "<p>v1</p>\n", "config/application.rb": "# app\n"}

func TestCopyStrategyNeedsNoGitOnTheServers(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{NoGit: true})
	src := appDeployfile(c, map[string]string{"h1": `"app"`, "h2": `"app"`}, `
set("copy_source", nil)
set("repo_url", "repo")   -- a local repository: packed here with git archive
task("servers:git", function() on(roles("app"), function(h) table.insert(has_git, tostring(test("git --version"))) end) end)
has_git = {}
after("servers:git", function() run_locally("echo " .. table.concat(has_git, ",") .. " > git-on-servers") end)
`)
	d := newDeployEnv(t, c, src)
	sha := gitRepo(t, filepath.Join(d.dir, "repo"), appFiles)
	mustSucceed(t, d.run("servers:git", "-q"))
	if got := readString(t, filepath.Join(d.dir, "git-on-servers")); got != "false,false\n" {
		t.Fatalf("git works on the servers (%q); the test proves nothing", got)
	}
	d.deploy("20260101000001")
	d.expectState("20260101000001", "20260101000001")
	for _, h := range c.Hosts {
		rel := shop + "/releases/20260101000001"
		if got := readString(t, h.Path(rel+"/REVISION")); got != sha+"\n" {
			t.Errorf("%s: REVISION = %q, want %s", h.Name, got, sha)
		}
		if got := readString(t, h.Path(rel+"/public/index.html")); got != "<p>v1</p>\n" {
			t.Errorf("%s: index.html = %q", h.Name, got)
		}
	}
}

func TestRemoteCacheFromARepositoryOverSSHWithTheForwardedAgent(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 3, harness.Options{})
	if err := c.WriteAgentOnlyConfig(); err != nil {
		t.Fatal(err)
	}
	sock := harness.StartAgent(t, c.ClientKey)
	// h1 serves the repository; h2 and h3 deploy from it, over ssh.
	h1 := c.Host("h1")
	work := t.TempDir()
	sha1 := gitRepo(t, work, appFiles)
	if out, err := exec.Command("git", "clone", "-q", "--bare", work, h1.Path("/var/www/repo.git")).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	kh := readString(t, c.KnownHosts)
	for _, h := range c.Hosts { // the servers know h1's key, as real servers know the git host's
		os.MkdirAll(filepath.Join(h.Home(), ".ssh"), 0o700)
		if err := os.WriteFile(filepath.Join(h.Home(), ".ssh", "known_hosts"), []byte(kh), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	src := appDeployfile(c, map[string]string{"h2": `"app"`, "h3": `"app"`}, fmt.Sprintf(`
set("ssh_options", { config = %q, forward_agent = true })
set("deploy_via", "remote_cache")
set("repo_url", "ssh://root@127.0.0.1:%d/var/www/repo.git")
set("repo_tree", "public")
`, c.SSHConfig, h1.Port))
	d := newDeployEnv(t, c, src)
	d.env = []string{"SSH_AUTH_SOCK=" + sock}
	d.deploy("20260101000001")
	for _, h := range []*harness.Host{c.Host("h2"), c.Host("h3")} {
		rel := shop + "/releases/20260101000001"
		if got := readString(t, h.Path(rel+"/REVISION")); got != sha1+"\n" {
			t.Errorf("%s: REVISION = %q, want %s", h.Name, got, sha1)
		}
		if got := readString(t, h.Path(rel+"/index.html")); got != "<p>v1</p>\n" {
			t.Errorf("%s: repo_tree=public did not put public/ at the release root: %q", h.Name, got)
		}
	}
	// A new commit arrives through the mirror's fetch.
	os.WriteFile(filepath.Join(work, "public/index.html"), []byte("<p>v2</p>\n"), 0o644)
	sha2 := commitAll(t, work, "v2")
	git(t, work, "push", "-q", h1.Path("/var/www/repo.git"), "main")
	d.deploy("20260101000002")
	h2 := c.Host("h2")
	if got := readString(t, h2.Path(shop+"/releases/20260101000002/REVISION")); got != sha2+"\n" {
		t.Errorf("after a new commit, REVISION = %q, want %s", got, sha2)
	}
	if _, err := os.Stat(h2.Path(shop + "/repo/HEAD")); err != nil {
		t.Errorf("no git mirror kept in deploy_to/repo: %v", err)
	}
}
