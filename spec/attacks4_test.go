package spec

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/luacap/luacap/spec/harness"
)

// Attacks on the background work of a deploy: the copy pack and the
// assets digest made as it starts, the assets build run while the servers
// unpack the code, and, with assets_shared, the rsync of the new set into
// releases/.<name>.luacap-assets while the strategy sends the code.

// newAttack4Assets is newSharedAssets with its build command taken from
// $BUILD when set, and extra appended to the Deployfile.
func newAttack4Assets(t *testing.T, c *harness.Cluster, extra string) *sharedAssets {
	t.Helper()
	roles := map[string]string{}
	for _, h := range c.Hosts {
		roles[h.Name] = `"web"`
	}
	d := newDeployEnv(t, c, appDeployfile(c, roles, `
set("copy_source", nil)
set("repo_url", "repo")
set("local_repo", "repo")
set("linked_dirs", { "log", "tmp/pids", "public/assets" })
use("rails/assets_local")
set("assets_shared", os.getenv("ASSETS_SHARED") ~= "0")
set("assets_build_command", os.getenv("BUILD") or "mkdir -p public/assets && v=$(cat app/assets/version) && echo $v > public/assets/app-$v.css && echo app-$v.css > public/assets/manifest.txt")
`+extra))
	s := &sharedAssets{deployEnv: d, repo: filepath.Join(d.dir, "repo")}
	gitRepo(t, s.repo, map[string]string{"app/assets/version": "0\n"})
	return s
}

// noIncoming checks that no host keeps an incoming set beside its releases.
func noIncoming(t *testing.T, c *harness.Cluster, when string) {
	t.Helper()
	for _, h := range c.Hosts {
		left, _ := filepath.Glob(h.Path(shop + "/releases/.*.luacap-assets"))
		if len(left) > 0 {
			t.Errorf("%s: %s keeps incoming sets %v", when, h.Name, left)
		}
	}
}

// A hostile user of a server made releases/.<name>.luacap-assets, the
// incoming place of the next release's set, a link to a directory of
// theirs. The lock's removal of leftovers skipped links, so the rsync
// --delete wrote through it: the new set went into the directory outside
// deploy_to and what was there was deleted. Nothing outside deploy_to is
// written or removed; the deploy serves its own set.
func TestAttackIncomingAssetsLinkedElsewhereAreNotWrittenThrough(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	h := c.Hosts[0]
	s := newAttack4Assets(t, c, "")
	s.release("1", "20260101000001")
	elsewhere := h.Path("/var/www/elsewhere")
	s.write(elsewhere+"/precious.txt", "keep me\n")
	attackSymlink(t, "../../elsewhere", h.Path(shop+"/releases/.20260101000002.luacap-assets"))

	s.write(filepath.Join(s.repo, "app/assets/version"), "2\n")
	commitAll(t, s.repo, "v2")
	r := s.run("deploy", "-s", "release_name=20260101000002")
	if r.Code != 0 {
		t.Errorf("the deploy exited %d:\n%s", r.Code, r.Output())
	}
	if got, err := os.ReadFile(elsewhere + "/precious.txt"); err != nil || string(got) != "keep me\n" {
		t.Errorf("a file outside deploy_to was removed or changed: %q, %v", got, err)
	}
	entries, _ := os.ReadDir(elsewhere)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("the directory outside deploy_to holds %v, want only precious.txt", names)
	}
	if r.Code == 0 {
		s.servesManifest("after the deploy", "20260101000002", "2")
		if fi, err := os.Lstat(h.Path(shop + "/releases/20260101000002/.luacap-assets")); err != nil || !fi.IsDir() {
			t.Errorf("the release's set is not a directory of its own: %v %v", fi, err)
		}
	}
	noIncoming(t, c, "after the deploy")
}

// The code may hold a .luacap-assets directory of its own (committed by
// mistake, or an old build). The set rsynced aside was moved over it with
// mv -T, which refuses a directory that is not empty: every deploy of such
// code failed, where the rsync into the release used to replace it. The
// deploy succeeds and the release keeps the new set, not the committed
// one.
func TestAttackCodeWithItsOwnAssetsSetDeploys(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	h := c.Hosts[0]
	s := newAttack4Assets(t, c, "")
	s.write(filepath.Join(s.repo, ".luacap-assets/manifest.txt"), "committed.css\n")
	s.write(filepath.Join(s.repo, ".luacap-assets/committed.css"), "x\n")
	s.release("1", "20260101000001")
	s.servesManifest("after the deploy", "20260101000001", "1")
	if _, err := os.Stat(h.Path(shop + "/releases/20260101000001/.luacap-assets/committed.css")); err == nil {
		t.Errorf("the release's set keeps the committed file")
	}
	noIncoming(t, c, "after the deploy")
}

// alive says whether process pid still runs (and is not a zombie).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	f := strings.Fields(string(b))
	return len(f) > 2 && f[2] != "Z"
}

// A build that ignores SIGTERM (a tool that traps it, a child that
// survives its shell) when the deploy is interrupted. The background
// build's process group got SIGTERM and, after the grace, only its shell
// was killed: the build ran on after luacap had exited, writing into a
// directory the cleanup removed. No process of the run outlives it.
func TestAttackInterruptedBuildIgnoringTermLeavesNoProcess(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	s := newAttack4Assets(t, c, "")
	s.release("1", "20260101000001")
	pidFile := filepath.Join(s.dir, "build.pid")
	s.write(filepath.Join(s.repo, "app/assets/version"), "2\n")
	commitAll(t, s.repo, "v2")
	build := "trap '' TERM; sleep 60 & echo $! > " + pidFile + "; wait"
	cmd := exec.Command(luacap, "deploy", "-s", "release_name=20260101000002")
	cmd.Dir, cmd.Env = s.dir, []string{"HOME=" + c.Home(), "PATH=" + os.Getenv("PATH"), "USER=deployer", "BUILD=" + build}
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := 0
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && pid == 0; time.Sleep(20 * time.Millisecond) {
		b, _ := os.ReadFile(pidFile)
		pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	}
	if pid == 0 {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the build never started:\n%s", out.String())
	}
	defer syscall.Kill(pid, syscall.SIGKILL)
	cmd.Process.Signal(syscall.SIGINT)
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("the interrupted deploy exited %d, want 130:\n%s", code, out.String())
	}
	time.Sleep(200 * time.Millisecond)
	if alive(pid) {
		t.Errorf("the build's process %d runs on after luacap exited:\n%s", pid, out.String())
	}
	s.servesManifest("after the interrupt", "20260101000001", "1")
	noIncoming(t, c, "after the interrupt")
}

// The README's way to do the assets one's own way: clear
// deploy:assets:precompile and define it. The set was still rsynced to
// releases/.<name>.luacap-assets on every host, and nobody moved it in or
// removed it: each successful deploy left a whole set beside the releases.
func TestAttackClearedPrecompileLeavesNoIncomingSet(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	s := newAttack4Assets(t, c, `
clear("deploy:assets:precompile")
task("deploy:assets:precompile", function() info("my own assets") end)
after("deploy:finalize_update", "deploy:assets:precompile")
`)
	s.write(filepath.Join(s.repo, "app/assets/version"), "1\n")
	commitAll(t, s.repo, "v1")
	r := s.run("deploy", "-s", "release_name=20260101000001")
	mustSucceed(t, r)
	if !strings.Contains(r.Output(), "my own assets") {
		t.Errorf("the own precompile did not run:\n%s", r.Output())
	}
	s.expectState("20260101000001", "20260101000001")
	noIncoming(t, c, "after a deploy with its own precompile")
}

// A deploy waiting for the lock (--lock-wait) packed the code as it
// started; a commit made while it waits must not end up in its assets:
// the build archived the branch as it was once the lock was held, so the
// release served the new commit's assets with the old commit's code. The
// code, REVISION and the assets are of one commit.
func TestAttackCommitWhileWaitingForTheLockKeepsCodeAndAssetsTogether(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	h := c.Hosts[0]
	s := newAttack4Assets(t, c, `
local hold = os.getenv("HOLD")
if hold then
  before("deploy:symlink", function() run_locally("while [ -f " .. hold .. " ]; do sleep 0.05; done") end)
end
`)
	s.release("1", "20260101000001")
	s.write(filepath.Join(s.repo, "app/assets/version"), "2\n")
	v2 := commitAll(t, s.repo, "v2")
	hold := filepath.Join(s.dir, "hold")
	s.write(hold, "")
	start := func(logName string, env []string, args ...string) (*exec.Cmd, string) {
		logPath := filepath.Join(s.dir, logName)
		f, err := os.Create(logPath)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		cmd := exec.Command(luacap, args...)
		cmd.Dir = s.dir
		cmd.Env = append([]string{"HOME=" + c.Home(), "PATH=" + os.Getenv("PATH"), "USER=deployer", "LUACAP_FORMAT=verbose"}, env...)
		cmd.Stdout, cmd.Stderr = f, f
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, logPath
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); !ok(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	// The first deploy's build differs (its digest too): the second builds.
	a, aLog := start("a.log", []string{"HOLD=" + hold, "BUILD=true; mkdir -p public/assets && v=$(cat app/assets/version) && echo $v > public/assets/app-$v.css && echo app-$v.css > public/assets/manifest.txt"},
		"deploy", "-s", "release_name=20260101000002")
	waitFor("the first deploy's lock", func() bool { return strings.Contains(readString(t, aLog), "deploy:symlink") })
	b, bLog := start("b.log", nil, "deploy", "--lock-wait", "60", "-s", "release_name=20260101000003")
	waitFor("the second deploy waiting", func() bool { return strings.Contains(readString(t, bLog), "deploy:lock") })
	time.Sleep(300 * time.Millisecond)
	s.write(filepath.Join(s.repo, "app/assets/version"), "3\n")
	commitAll(t, s.repo, "v3")
	os.Remove(hold)
	if err := a.Wait(); err != nil {
		t.Fatalf("the first deploy: %v\n%s", err, readString(t, aLog))
	}
	if err := b.Wait(); err != nil {
		t.Fatalf("the second deploy: %v\n%s", err, readString(t, bLog))
	}
	rel := shop + "/releases/20260101000003"
	rev := strings.TrimSpace(readString(t, h.Path(rel+"/REVISION")))
	code := strings.TrimSpace(readString(t, h.Path(rel+"/app/assets/version")))
	assets := strings.TrimSpace(readString(t, h.Path(rel+"/.luacap-assets/manifest.txt")))
	if assets != "app-"+code+".css" {
		t.Errorf("the release's code is version %s (REVISION %s; v2 is %s), its assets are %s", code, rev, v2, assets)
	}
}
