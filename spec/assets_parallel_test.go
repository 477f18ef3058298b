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

// rsyncWrapper is an rsync earlier in PATH that logs "start", waits until
// $BARRIER rsyncs have started (or 10 s: a serial run still ends), runs
// the real rsync, logs "end" and its arguments. The log shows how many
// ran at once without timing anything.
const rsyncWrapper = `#!/bin/sh
log=%[1]q; real=%[2]q
echo "start $$" >> "$log"
i=0; while [ "$(grep -c '^start' "$log")" -lt "$BARRIER" ] && [ $i -lt 500 ]; do sleep 0.02; i=$((i+1)); done
"$real" "$@"; s=$?
echo "end $$ $*" >> "$log"
exit $s
`

// maxInFlight is the most rsyncs the log shows running at once.
func maxInFlight(log string) (most, ends int) {
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		switch strings.Fields(line)[0] {
		case "start":
			n++
			most = max(most, n)
		case "end":
			n--
			ends++
		}
	}
	return most, ends
}

func TestAssetsSentToEveryHostAtOnce(t *testing.T) {
	t.Parallel()
	real, err := exec.LookPath("rsync")
	if err != nil {
		t.Fatal(err)
	}
	c := harness.Start(t, 4, harness.Options{})
	roles := map[string]string{"h1": `"web"`, "h2": `"web"`, "h3": `"web"`, "h4": `"web"`}
	// With assets_shared the rsyncs run in the background, while the code
	// is sent: the bound holds there too.
	for i, tt := range []struct {
		name    string
		maxHost string // --max-hosts; "" for none
		want    int    // rsyncs in flight at once
		shared  bool
	}{
		{"every host at once", "", 4, false},
		{"bounded by --max-hosts", "2", 2, false},
		{"shared, every host at once", "", 4, true},
		{"shared, bounded by --max-hosts", "2", 2, true},
	} {
		release := fmt.Sprintf("2026010100000%d", i+1) // each subtest's own, on the same hosts
		t.Run(tt.name, func(t *testing.T) {
			d := newDeployEnv(t, c, appDeployfile(c, roles, `
set("copy_source", nil)
set("repo_url", "repo")
set("local_repo", "repo")
use("rails/assets_local")
set("assets_build_command", "mkdir -p public/assets && cp app/assets/*.css public/assets/ # `+tt.name+`")
set("assets_shared", `+fmt.Sprint(tt.shared)+`)
if fetch("assets_shared") then append("linked_dirs", "public/assets") end
`))
			gitRepo(t, filepath.Join(d.dir, "repo"), assetFiles)
			bin, log := filepath.Join(d.dir, "bin"), filepath.Join(d.dir, "rsync.log")
			d.write(filepath.Join(bin, "rsync"), fmt.Sprintf(rsyncWrapper, log, real))
			os.Chmod(filepath.Join(bin, "rsync"), 0o755)
			d.env = []string{"PATH=" + bin + ":" + os.Getenv("PATH"), fmt.Sprint("BARRIER=", tt.want)}
			args := []string{"deploy", "-v", "-s", "release_name=" + release}
			if tt.maxHost != "" {
				args = append(args, "--max-hosts", tt.maxHost)
			}
			r := d.run(args...)
			mustSucceed(t, r)
			most, ends := maxInFlight(readString(t, log))
			if most != tt.want || ends != len(c.Hosts) {
				t.Errorf("%d rsyncs in flight at most, %d ended; want %d at most, %d ended:\n%s", most, ends, tt.want, len(c.Hosts), readString(t, log))
			}
			if n := strings.Count(readString(t, log), "__rsync-shell"); n != len(c.Hosts) {
				t.Errorf("%d of %d rsyncs went over luacap's connection:\n%s", n, len(c.Hosts), readString(t, log))
			}
			if n := strings.Count(r.Stdout, "rsync over luacap's connection"); n != len(c.Hosts) {
				t.Errorf("-v said %d times that rsync used luacap's connection, want %d:\n%s", n, len(c.Hosts), r.Stdout)
			}
			set := "/public/assets"
			if tt.shared {
				set = "/.luacap-assets"
			}
			for _, h := range c.Hosts {
				if got := readString(t, h.Path(shop+"/releases/"+release+set+"/app.css")); got != assetFiles["app/assets/app.css"] {
					t.Errorf("%s: app.css = %q", h.Name, got)
				}
			}
		})
	}
}

func TestAFailedLocalBuildUndoesEveryHost(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	roles := map[string]string{"h1": `"web"`, "h2": `"app"`}
	d := newDeployEnv(t, c, appDeployfile(c, roles, `
set("copy_source", nil)
set("repo_url", "repo")
set("local_repo", "repo")
use("rails/assets_local")
set("assets_build_command", "if [ -f app/assets/broken.css ]; then echo 'Sass::SyntaxError in broken.css' >&2; exit 3; fi; mkdir -p public/assets && cp app/assets/*.css public/assets/")
`))
	repo := filepath.Join(d.dir, "repo")
	gitRepo(t, repo, assetFiles)
	d.deploy("20260101000001")
	d.write(filepath.Join(repo, "app/assets/broken.css"), "body {\n")
	commitAll(t, repo, "broken")
	tmp := t.TempDir()
	d.env = []string{"TMPDIR=" + tmp}
	r := d.run("deploy", "-s", "release_name=20260101000002")
	if r.Code != 1 || !strings.Contains(r.Stderr, "Sass::SyntaxError in broken.css") {
		t.Errorf("exit %d, want 1 naming the build's error:\n%s", r.Code, r.Output())
	}
	d.expectState("20260101000001", "20260101000001")
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("the build left %v in TMPDIR", left)
	}
}

// The build runs while the servers unpack the release: it waits (10 s at
// most) for the release directory to appear on h1, and says in the
// assets whether it did. A build run before the servers' update never
// sees it.
func TestAssetsBuiltWhileTheServersUpdate(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	release := c.Host("h1").Path(shop + "/releases/20260101000001/REVISION")
	d := newDeployEnv(t, c, appDeployfile(c, map[string]string{"h1": `"web"`}, `
set("copy_source", nil)
set("repo_url", "repo")
set("local_repo", "repo")
use("rails/assets_local")
set("assets_build_command", "i=0; while [ ! -f `+release+` ] && [ $i -lt 500 ]; do sleep 0.02; i=$((i+1)); done; "..
  "mkdir -p public/assets && if [ -f `+release+` ]; then echo overlapped; else echo before; fi > public/assets/when.txt")
`))
	gitRepo(t, filepath.Join(d.dir, "repo"), assetFiles)
	d.deploy("20260101000001")
	got := readString(t, c.Host("h1").Path(shop+"/releases/20260101000001/public/assets/when.txt"))
	if got != "overlapped\n" {
		t.Errorf("the build saw the release %q, want it to run while the server unpacked it", strings.TrimSpace(got))
	}
}

// A deploy that fails while the build still runs stops the build and
// removes its directory.
func TestAFailedDeployStopsTheBuild(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	pidFile := filepath.Join(t.TempDir(), "build.pid")
	d := newDeployEnv(t, c, appDeployfile(c, map[string]string{"h1": `"web"`}, `
set("copy_source", nil)
set("repo_url", "repo")
set("local_repo", "repo")
use("rails/assets_local")
set("assets_build_command", "echo $$ > `+pidFile+`; exec sleep 60")
-- once the build runs (it starts after the lock, in the background), a
-- file takes the place of releases/: the copy cannot make the release
before("deploy:strategy:copy", function()
  run_locally("i=0; while [ ! -s `+pidFile+` ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i+1)); done")
  on("h1", function() execute("rm -rf `+shop+`/releases && : > `+shop+`/releases") end)
end)
`))
	gitRepo(t, filepath.Join(d.dir, "repo"), assetFiles)
	tmp := t.TempDir()
	d.env = []string{"TMPDIR=" + tmp}
	if r := d.run("deploy", "-s", "release_name=20260101000001"); r.Code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", r.Code, r.Output())
	}
	pid, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("the build did not start before the copy failed: %v", err)
	}
	if running(strings.TrimSpace(string(pid))) {
		t.Errorf("the build (pid %s) still runs after the deploy failed", strings.TrimSpace(string(pid)))
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("the build left %v in TMPDIR", left)
	}
}

// running reports whether process pid exists and is not a zombie (this
// machine's init may be slow to reap orphans).
func running(pid string) bool {
	stat, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return false
	}
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(fields) > 0 && fields[0] != "Z"
}
