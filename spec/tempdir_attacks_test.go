package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/luacap/luacap/spec/harness"
)

// Attacks on local_tempdir, the directory the copy strategy packs into
// and the assets build in, through the TMPDIR it is made in.

// Whatever TMPDIR holds (spaces, quotes, $, a new line, a leading dash,
// a symbolic link, a path relative to where luacap runs, a path too long
// for a socket), the copy strategy packs the commit there, the assets are
// built there and sent over the open connection, the release is whole,
// and nothing is left in TMPDIR once the deploy ends.
func TestAttackHostileTMPDIRForThePackAndTheAssets(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	s := newSharedAssetsWith(t, c, "")
	// A short base, so that the hostile name is in the rsync socket's
	// path too, whatever t.TempDir's length.
	base, err := os.MkdirTemp("", "h")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	hostile := filepath.Join(base, "a b'c\"$HOME`x`\n-d")
	long := filepath.Join(base, strings.Repeat("long", 30))
	link := filepath.Join(base, "link")
	relative := filepath.Join(s.dir, "tmp")
	for _, dir := range []string{hostile, long, relative, filepath.Join(base, "target")} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(base, "target"), link); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, tmpdir, look string }{
		{"quotes, $, ` and a new line", hostile, hostile},
		{"too long for a socket", long, long},
		{"a symbolic link", link, link},
		{"relative to where luacap runs", "tmp", relative},
	}
	for i, tc := range cases {
		v := string(rune('1' + i))
		s.write(filepath.Join(s.repo, "app/assets/version"), v+"\n")
		started := commitAll(t, s.repo, "v"+v)
		s.env = []string{"TMPDIR=" + tc.tmpdir}
		name := "2026010100000" + v
		r := s.run("deploy", "-v", "-s", "release_name="+name)
		if r.Code != 0 {
			t.Errorf("TMPDIR %s: exit %d:\n%s", tc.name, r.Code, tail(r.Output(), 8))
			continue
		}
		if strings.Contains(r.Output(), "rsync over a new ssh process") {
			t.Errorf("TMPDIR %s: the assets did not go over the open connection:\n%s", tc.name, tail(r.Output(), 12))
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
// relative one, a path and a symbolic link to it, a link to a directory
// in it followed by ..) is still read once, and a commit landing between
// the two reads goes into neither the code nor the assets.
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
	links := t.TempDir()
	link, inner := filepath.Join(links, "repo-link"), filepath.Join(links, "app-link")
	if err := os.Symlink(s.repo, link); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(s.repo, "app"), inner); err != nil {
		t.Fatal(err)
	}
	spellings := []struct{ name, repoURL, localRepo string }{
		{"absolute and relative", s.repo, "repo"},
		{"relative and absolute", "repo", s.repo},
		{"a symbolic link and the path", link, "repo"},
		{"a link's .. and the path", inner + "/..", "repo"}, // the repository, not the links' directory
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

// A deploy with the copy strategy and the assets stopped by a signal
// (SIGINT, SIGTERM and SIGHUP in turn) at each of its local steps (the pack and the
// checkout running in the background, the build, the send) leaves
// nothing in TMPDIR, exits 130, and the host serves the release it
// served.
func TestAttackASignalAtEachStepLeavesNoTempdir(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	s := newSharedAssetsWith(t, c, `
local at, sig = os.getenv("STOP_AT"), os.getenv("STOP_WITH")
local function stop() run_locally("kill -" .. sig .. " $PPID; sleep 10") end
if at == "prepare" then after("deploy:strategy:prepare", stop) end
if at == "assets" then after("deploy:assets:prepare", stop) end
if at == "lock" then after("deploy:lock", stop) end
if at == "copy" then before("deploy:strategy:copy", stop) end
if at == "symlink" then before("deploy:symlink", stop) end
`)
	s.release("1", "20260101000001")
	tmp := t.TempDir()
	// Each step once, the signals taken in turn: luacap handles the three
	// alike (spec/ends_test.go crosses them with the ways a run ends).
	signals := []string{"INT", "TERM", "HUP"}
	n := 1
	for i, at := range []string{"prepare", "assets", "lock", "copy", "symlink"} {
		for _, sig := range signals[i%3 : i%3+1] {
			n++
			s.write(filepath.Join(s.repo, "app/assets/version"), strings.Repeat("x", n)+"\n")
			commitAll(t, s.repo, "v"+strings.Repeat("x", n))
			s.env = []string{"TMPDIR=" + tmp, "STOP_AT=" + at, "STOP_WITH=" + sig}
			r := s.run("deploy", "-s", "release_name=20260101000002")
			if r.Code != 130 {
				t.Errorf("SIG%s at %s: exit %d, want 130:\n%s", sig, at, r.Code, tail(r.Output(), 6))
			}
			if left, _ := os.ReadDir(tmp); len(left) != 0 {
				t.Errorf("SIG%s at %s: left %v in TMPDIR", sig, at, left)
				os.RemoveAll(tmp)
				os.Mkdir(tmp, 0o755)
			}
			s.servesManifest("SIG"+sig+" at "+at, "20260101000001", "1")
		}
	}
}

// Under each login shell: a command asking for a terminal runs under sh
// with one, and a run interrupted during a long command stops it on the
// host (the kill goes in a session of its own, under sh too).
func TestAttackTerminalAndInterruptUnderEachLoginShell(t *testing.T) {
	onEachLoginShell(t, func(t *testing.T, c *harness.Cluster) {
		h := c.Hosts[0]
		src := preamble(c, map[string]string{"h1": `"app"`}) + `
task("tty", function()
  on(roles("app"), function()
    execute("{ [ -t 0 ] && echo \"tty $((1 + 1))\"; } > /var/www/pty 2>&1", { pty = true })
  end)
end)
task("long", function()
  on(roles("app"), function()
    execute("echo started > /var/www/started; exec sleep 37")
  end)
end)`
		dir := harness.WriteDeployfile(t, src)
		r := harness.Run(t, luacap, dir, c.Home(), nil, "tty")
		if r.Code != 0 {
			t.Fatalf("exit %d:\n%s", r.Code, tail(r.Output(), 8))
		}
		if got := readString(t, h.Path("/var/www/pty")); got != "tty 2\n" {
			t.Errorf("the command with a terminal wrote %q, want %q", got, "tty 2\n")
		}
		cmd, out := interruptOnceStarted(t, c, dir, h.Path("/var/www/started"), "LUACAP_FORMAT=verbose")
		stopped := time.Now()
		cmd.Wait()
		if took := time.Since(stopped); took > 5*time.Second {
			t.Errorf("the interrupted run took %v to end: the command was not stopped\n%s", took.Round(time.Second), out.String())
		}
		if code := cmd.ProcessState.ExitCode(); code != 130 {
			t.Errorf("the interrupted run exited %d, want 130", code)
		}
		if left := leftOn(h, "sleep"); len(left) > 0 {
			t.Errorf("left running on the host after the interrupt: %v", left)
		}
	})
}

// Six hosts' first commands, sent by a pipelined task followed by
// long local work, start on every host while that work goes on: no end
// is read, the timer starts each shell. Then the commands' ends are read
// as usual, and a failure on one host is its own.
func TestAttackFirstCommandsStartOnSixHostsWhileLocalWorkGoesOn(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 6, harness.Options{})
	roles := map[string]string{}
	var files []string
	for _, h := range c.Hosts {
		roles[h.Name] = `"app"`
		files = append(files, h.Path("/var/www/first"))
	}
	src := preamble(c, roles) + `
task("first", { pipelined = true }, function()
  on(roles("app"), function(host)
    execute("echo " .. host.name .. " > /var/www/first")
    if host.name == "h4" then execute("exit 4") end
  end)
  run_locally("i=0; for f in ` + strings.Join(files, " ") + `; do while [ ! -f $f ]; do " ..
    "i=$((i+1)); [ $i -lt 250 ] || { echo never\" \"started: $f >&2; exit 1; }; sleep 0.02; done; done")
end)`
	r := runLuacap(t, c, src, nil, "first")
	if r.Code != 1 || !strings.Contains(r.Output(), "exit status 4") || strings.Contains(r.Output(), "never started") {
		t.Errorf("exit %d, want 1 for h4's exit status 4 alone:\n%s", r.Code, tail(r.Output(), 12))
	}
}

// A long command with stdin in a session of its own (once the spare was
// used) runs, however many of its bytes are quotes or new lines: written
// as printf's octal escapes for the login shell, each took four bytes,
// and sshd passes the whole to that shell as one argument, which Linux
// bounds at 128 KiB.
func TestAttackLongCommandsInSessionsOfTheirOwn(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	h := c.Hosts[0]
	body := strings.Repeat("'\n", 20000) // 40 000 bytes: 160 000 as escapes
	src := preamble(c, map[string]string{"h1": `"app"`}) + `
local body = ` + luaString(body) + `
task("long", function()
  on(roles("app"), function()
    execute("cat > /var/www/spare", { stdin = "in.txt" })
    execute("cat > /var/www/spare2", { stdin = "in.txt" })
    execute("cat > /var/www/in; printf %s " .. shell.quote(body) .. " | wc -c > /var/www/stdin", { stdin = "in.txt" })
  end)
end)`
	src = "shell = require(\"luacap.shell\")\n" + src
	dir := harness.WriteDeployfile(t, src)
	if err := os.WriteFile(filepath.Join(dir, "in.txt"), []byte("in\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := harness.Run(t, luacap, dir, c.Home(), nil, "long")
	if r.Code != 0 {
		t.Fatalf("exit %d:\n%s", r.Code, tail(r.Output(), 8))
	}
	if got := strings.TrimSpace(readString(t, h.Path("/var/www/stdin"))); got != "40000" {
		t.Errorf("the long command with stdin wrote %q, want 40000", got)
	}
}
