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
	s := newSharedAssetsWith(t, c, "")
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
	s := newSharedAssetsWith(t, c, "")
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
	s := newSharedAssetsWith(t, c, "")
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

// A hook before deploy:lock moves the deploy to another branch, after the
// pack and the digest were made for the first one: the release's
// REVISION and the set it serves are the new branch's.
func TestAttackBranchChangedBeforeTheLockPacksAndBuildsIt(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	h := c.Hosts[0]
	s := newSharedAssetsWith(t, c, `
before("deploy:lock", function() set("branch", os.getenv("NEW_BRANCH") or "main") end)
`)
	s.release("1", "20260101000001")
	git(t, s.repo, "checkout", "-q", "-b", "other")
	s.write(filepath.Join(s.repo, "app/assets/version"), "7\n")
	other := commitAll(t, s.repo, "v7")
	git(t, s.repo, "checkout", "-q", "main")
	s.env = []string{"NEW_BRANCH=other"}
	s.deploy("20260101000002")
	s.servesManifest("after the deploy of the other branch", "20260101000002", "7")
	if got := strings.TrimSpace(readString(t, h.Path(shop+"/releases/20260101000002/REVISION"))); got != other {
		t.Errorf("REVISION = %q, want the other branch's %s", got, other)
	}
	if got := strings.TrimSpace(readString(t, h.Path(shop+"/releases/20260101000002/app/assets/version"))); got != "7" {
		t.Errorf("the release's code is version %q, want 7", got)
	}
}

// A build that fails with output, on two hosts, in each format: the error
// holds the output, every host stays on its release with no incoming set,
// and with --format json nothing follows the summary.
func TestAttackFailingBuildUndoesEveryHost(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	s := newSharedAssetsWith(t, c, "")
	s.release("1", "20260101000001")
	s.write(filepath.Join(s.repo, "app/assets/version"), "2\n")
	commitAll(t, s.repo, "v2")
	s.env = []string{"BUILD=seq 1 20000; echo build-says-why >&2; exit 3"}
	for _, format := range []string{"pretty", "verbose", "json"} {
		r := s.run("deploy", "-s", "release_name=20260101000002", "--format", format)
		if r.Code != 1 {
			t.Errorf("%s: the failed build's deploy exited %d", format, r.Code)
		}
		if !strings.Contains(r.Output(), "build-says-why") {
			t.Errorf("%s: the error does not hold the build's output:\n%.3000s", format, r.Stderr)
		}
		if format == "json" {
			lines := strings.Split(strings.TrimSpace(r.Stdout), "\n")
			if last := lines[len(lines)-1]; !strings.Contains(last, `"event":"summary"`) {
				t.Errorf("json: the last line is not the summary: %.300s", last)
			}
		}
		s.expectState("20260101000001", "20260101000001")
		s.servesManifest(format+": after the failed build", "20260101000001", "1")
		noIncoming(t, c, format+": after the failed build")
	}
}

// The rsync of the new set fills the disk of one host while the other
// host received it: the deploy is undone on both, and neither keeps an
// incoming set or the new release.
func TestAttackAssetsFillingOneHostsDiskAreUndoneEverywhere(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{TmpfsRoot: map[string]int64{"h2": 1 << 20}})
	s := newSharedAssetsWith(t, c, "")
	s.release("1", "20260101000001")
	s.write(filepath.Join(s.repo, "app/assets/version"), "2\n")
	commitAll(t, s.repo, "v2")
	s.env = []string{"BUILD=mkdir -p public/assets && head -c 1500000 /dev/urandom > public/assets/big.bin && echo app-2.css > public/assets/manifest.txt && echo 2 > public/assets/app-2.css"}
	r := s.run("deploy", "-s", "release_name=20260101000002")
	if r.Code != 1 {
		t.Errorf("the deploy whose assets fill h2's disk exited %d:\n%s", r.Code, r.Output())
	}
	if !strings.Contains(r.Stderr, "h2: rsync") {
		t.Errorf("the deploy did not fail at h2's rsync:\n%s", r.Output())
	}
	s.expectState("20260101000001", "20260101000001")
	s.servesManifest("after the full disk", "20260101000001", "1")
	noIncoming(t, c, "after the full disk")
}

// rsync missing on the server, with assets_shared: the background rsync
// into the incoming place fails naming the host; nothing is left.
func TestAttackSharedAssetsWithoutRsyncOnTheServer(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{Hide: []string{"/usr/bin/rsync"}})
	s := newSharedAssetsWith(t, c, "")
	s.write(filepath.Join(s.repo, "app/assets/version"), "1\n")
	commitAll(t, s.repo, "v1")
	r := s.run("deploy", "-s", "release_name=20260101000001")
	if r.Code != 1 || !strings.Contains(r.Stderr, "h1: rsync is missing or cannot run on h1; install it there") {
		t.Errorf("exit %d:\n%s", r.Code, r.Output())
	}
	s.expectState("")
	noIncoming(t, c, "after the failed rsync")
}

// deploy:check and deploy:rollback start no pack, no build and no rsync.
func TestAttackCheckAndRollbackStartNothingInTheBackground(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	s := newSharedAssetsWith(t, c, "")
	s.release("1", "20260101000001")
	s.release("2", "20260101000002")
	for _, task := range []string{"deploy:check", "deploy:rollback"} {
		r := s.run(task, "--format", "verbose")
		mustSucceed(t, r)
		for _, unwanted := range []string{"mktemp", "git -C repo archive", "ls-tree", "building the assets", "rsync"} {
			if strings.Contains(r.Output(), unwanted) {
				t.Errorf("%s ran %q:\n%s", task, unwanted, r.Output())
			}
		}
	}
	s.servesManifest("after the rollback", "20260101000001", "1")
}

// Two deploys at once, the second waiting for the lock, each with its
// own build: both go live in turn, the last serves its own set, and no
// incoming set is left. Then a release name older than the newest is
// given: the release takes the next one, and its set follows it.
func TestAttackTwoDeploysAtOnceWithSharedAssets(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	s := newSharedAssetsWith(t, c, "")
	s.release("1", "20260101000001")
	s.write(filepath.Join(s.repo, "app/assets/version"), "2\n")
	commitAll(t, s.repo, "v2")
	start := func(build string) (*exec.Cmd, *strings.Builder) {
		cmd := exec.Command(luacap, "deploy", "--lock-wait", "60")
		cmd.Dir, cmd.Env = s.dir, []string{"HOME=" + c.Home(), "PATH=" + os.Getenv("PATH"), "USER=deployer", "BUILD=" + build}
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, &out
	}
	build := func(v string) string {
		return "sleep 0.5; mkdir -p public/assets && echo " + v + " > public/assets/app-" + v + ".css && echo app-" + v + ".css > public/assets/manifest.txt"
	}
	a, aOut := start(build("a"))
	b, bOut := start(build("b"))
	aErr, bErr := a.Wait(), b.Wait()
	if aErr != nil || bErr != nil {
		t.Fatalf("the deploys failed: %v %v\n%s\n----\n%s", aErr, bErr, aOut, bOut)
	}
	noIncoming(t, c, "after two deploys at once")
	for _, h := range c.Hosts {
		rels := s.releases(h)
		if len(rels) != 3 {
			t.Fatalf("%s: releases %v, want 3", h.Name, rels)
		}
		cur := s.current(h)
		man := strings.TrimSpace(readString(t, h.Path(shop+"/releases/"+cur+"/.luacap-assets/manifest.txt")))
		if got := strings.TrimSpace(readString(t, h.Path(shop+"/shared/public/assets/manifest.txt"))); got != man {
			t.Errorf("%s: shared/ serves %q, current's set is %q", h.Name, got, man)
		}
	}
	newest := s.current(c.Hosts[0])
	s.write(filepath.Join(s.repo, "app/assets/version"), "3\n")
	commitAll(t, s.repo, "v3")
	r := s.run("deploy", "-s", "release_name=20260101000001")
	mustSucceed(t, r)
	for _, h := range c.Hosts {
		if cur := s.current(h); cur <= newest {
			t.Errorf("%s: current = %s, want a release after %s", h.Name, cur, newest)
		}
	}
	s.servesManifest("after a deploy given an old name", s.current(c.Hosts[0]), "3")
	noIncoming(t, c, "after a deploy given an old name")
}

// processesWith lists the processes whose command line holds s.
func processesWith(s string) []string {
	var found []string
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		b, _ := os.ReadFile("/proc/" + d.Name() + "/cmdline")
		if strings.Contains(string(b), s) && alive(pid) {
			found = append(found, d.Name()+": "+strings.ReplaceAll(string(b), "\x00", " "))
		}
	}
	return found
}

// An interrupt while the new set is being rsynced to the incoming place
// (a large set): exit 130, every host on its release serving its set, no
// rsync left running here or there, and the next deploy leaves no
// incoming set.
func TestAttackInterruptDuringTheAssetsRsync(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	s := newSharedAssetsWith(t, c, "")
	s.release("1", "20260101000001")
	const name = "20260101777772"
	s.write(filepath.Join(s.repo, "app/assets/version"), "2\n")
	commitAll(t, s.repo, "v2")
	build := "mkdir -p public/assets && for i in 1 2 3 4 5 6 7 8; do head -c 8000000 /dev/urandom > public/assets/big$i.bin; done && echo app-2.css > public/assets/manifest.txt && echo 2 > public/assets/app-2.css"
	cmd := exec.Command(luacap, "deploy", "-s", "release_name="+name)
	cmd.Dir, cmd.Env = s.dir, []string{"HOME=" + c.Home(), "PATH=" + os.Getenv("PATH"), "USER=deployer", "BUILD=" + build}
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	incoming := c.Hosts[1].Path(shop + "/releases/." + name + ".luacap-assets")
	seen := false
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && !seen; time.Sleep(5 * time.Millisecond) {
		_, err := os.Stat(incoming)
		seen = err == nil
	}
	cmd.Process.Signal(syscall.SIGINT)
	cmd.Wait()
	if !seen {
		t.Logf("the incoming set never appeared before the deadline")
	}
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("the interrupted deploy exited %d, want 130:\n%s", code, out.String())
	}
	time.Sleep(500 * time.Millisecond)
	if left := processesWith("." + name + ".luacap-assets"); len(left) > 0 {
		t.Errorf("processes left after the interrupt: %v", left)
	}
	s.servesManifest("after the interrupt", "20260101000001", "1")
	s.write(filepath.Join(s.repo, "app/assets/version"), "3\n")
	commitAll(t, s.repo, "v3")
	s.env = nil
	s.deploy("20260101000003")
	s.servesManifest("after the next deploy", "20260101000003", "3")
	noIncoming(t, c, "after the next deploy")
}

// A build that prints megabytes, in each format and in a dry run: the
// deploy succeeds, and with --format json every line is an event and the
// summary is the last.
func TestAttackHugeBuildOutputInEveryFormat(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	s := newSharedAssetsWith(t, c, "")
	s.release("1", "20260101000001")
	for i, format := range []string{"json", "verbose", "pretty"} {
		v := strconv.Itoa(i + 2)
		s.write(filepath.Join(s.repo, "app/assets/version"), v+"\n")
		commitAll(t, s.repo, "v"+v)
		s.env = []string{"BUILD=seq 1 40000; seq 1 10000 >&2; mkdir -p public/assets && echo app-" + v + ".css > public/assets/manifest.txt && echo " + v + " > public/assets/app-" + v + ".css"}
		for _, dry := range []bool{true, false} {
			args := []string{"deploy", "-s", "release_name=2026010100000" + v, "--format", format}
			if dry {
				args = append(args, "--dry-run")
			}
			r := s.run(args...)
			if r.Code != 0 {
				t.Fatalf("%s dry=%v: exit %d:\n%.5000s", format, dry, r.Code, r.Output())
			}
			if format == "json" {
				lines := strings.Split(strings.TrimSpace(r.Stdout), "\n")
				for _, l := range lines {
					if !strings.HasPrefix(l, `{"event":`) {
						t.Errorf("json dry=%v: a line that is not an event: %.200s", dry, l)
						break
					}
				}
				if last := lines[len(lines)-1]; !strings.Contains(last, `"event":"summary"`) {
					t.Errorf("json dry=%v: the last line is not the summary: %.300s", dry, last)
				}
			} else {
				lines := strings.Split(strings.TrimSpace(r.Stdout), "\n")
				if last := lines[len(lines)-1]; !strings.HasPrefix(last, "deployed ") && !strings.HasPrefix(last, "DRY RUN: nothing was run") {
					t.Errorf("%s dry=%v: the last line is not the end's: %.300s", format, dry, last)
				}
			}
		}
		s.servesManifest(format, "2026010100000"+v, v)
		noIncoming(t, c, format)
	}
}

// The README's way to do the assets one's own way: clear
// deploy:assets:precompile and define it. The set was still rsynced to
// releases/.<name>.luacap-assets on every host, and nobody moved it in or
// removed it: each successful deploy left a whole set beside the releases.
func TestAttackClearedPrecompileLeavesNoIncomingSet(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	s := newSharedAssetsWith(t, c, `
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

// A deploy_to with a space and a quote, and odd release names given with
// -s release_name=: the incoming place is quoted, the odd names are
// refused with nothing left on the host.
func TestAttackSharedAssetsUnderAnOddDeployTo(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	h := c.Hosts[0]
	const odd = "/var/www/sh op's"
	s := newSharedAssetsWith(t, c, `set("deploy_to", "`+odd+`")`)
	s.write(h.Path(odd+"/shared/config/database.yml"), "production: h1\n")
	for i, v := range []string{"1", "2"} {
		s.write(filepath.Join(s.repo, "app/assets/version"), v+"\n")
		commitAll(t, s.repo, "v"+v)
		name := "2026010100000" + strconv.Itoa(i+1)
		s.deploy(name)
		if got := strings.TrimSpace(readString(t, h.Path(odd+"/shared/public/assets/manifest.txt"))); got != "app-"+v+".css" {
			t.Errorf("release %s: shared/ serves %q, want app-%s.css", name, got, v)
		}
		if left, _ := filepath.Glob(h.Path(odd + "/releases/.*")); len(left) > 0 {
			t.Errorf("release %s: incoming sets left: %v", name, left)
		}
	}
	for _, name := range []string{"../x", "a b", ".hidden", "x;touch /tmp/pwned", "20260101000009/.."} {
		r := s.run("deploy", "-s", "release_name="+name)
		if r.Code == 0 {
			t.Errorf("release_name=%q: the deploy succeeded", name)
		}
		entries, _ := os.ReadDir(h.Path(odd + "/releases"))
		if len(entries) != 2 {
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			t.Errorf("release_name=%q: releases/ holds %v", name, names)
		}
		if _, err := os.Lstat(h.Path(odd + "/.luacap.lock")); err == nil {
			t.Errorf("release_name=%q: the lock was left", name)
		}
	}
}

// assets_shared = false: the set goes into the release's own assets_dir
// after finalize_update, never to an incoming place.
func TestAttackUnsharedAssetsGoIntoTheRelease(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	h := c.Hosts[0]
	s := newSharedAssetsWith(t, c, `set("linked_dirs", { "log", "tmp/pids" })`)
	s.env = []string{"ASSETS_SHARED=0"}
	s.release("1", "20260101000001")
	r := s.run("deploy", "-s", "release_name=20260101000002", "--format", "verbose")
	mustSucceed(t, r)
	if strings.Contains(r.Output(), "/releases/.20260101000002.luacap-assets") {
		t.Errorf("assets_shared = false used an incoming place:\n%s", r.Output())
	}
	if got := strings.TrimSpace(readString(t, h.Path(shop+"/releases/20260101000002/public/assets/manifest.txt"))); got != "app-1.css" {
		t.Errorf("the release's own set has the manifest %q", got)
	}
	noIncoming(t, c, "assets_shared = false")
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
	s := newSharedAssetsWith(t, c, `
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
