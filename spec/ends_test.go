package spec

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// hangs makes a deploy with -s hang=inside stop in a task inside the
// deploy:update transaction, and with -s hang=after in deploy:restart,
// after it committed: each host touches /var/www/hanging-<mark>, then
// sleeps until a signal stops it. -s hang=gate waits, inside the
// transaction, for the file gate beside the Deployfile instead.
const hangs = `
task("hang", function()
  if fetch("hang", "") == "gate" then
    run_locally("while [ ! -f gate ]; do sleep 0.05; done")
  elseif fetch("hang", "") == "inside" then
    on(roles("app"), function() execute("touch /var/www/hanging-" .. fetch("mark") .. "; sleep 60") end)
  end
end)
after("deploy:finalize_update", "hang")
task("deploy:restart", function()
  if fetch("hang", "") ~= "after" then return end
  on(roles("app"), function() execute("touch /var/www/hanging-" .. fetch("mark") .. "; sleep 60") end)
end)
`

// ended is how a luacap run in the background ended.
type ended struct {
	code   int
	signal bool // it died of a signal
	stderr string
}

// startLuacap runs luacap in d's directory with stdout to out, stderr
// kept, and returns a function that waits for it to end.
func startLuacap(t *testing.T, d *deployEnv, out io.Writer, args ...string) (*exec.Cmd, func() ended) {
	t.Helper()
	cmd := exec.Command(luacap, args...)
	cmd.Dir, cmd.Env = d.dir, []string{"HOME=" + d.c.Home(), "PATH=" + os.Getenv("PATH"), "USER=deployer", "LUACAP_FORMAT=verbose"}
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = out, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, func() ended {
		cmd.Wait()
		ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
		return ended{code: cmd.ProcessState.ExitCode(), signal: ws.Signaled(), stderr: stderr.String()}
	}
}

func (e ended) expect(t *testing.T, code int, last string) {
	t.Helper()
	if e.signal || e.code != code {
		t.Errorf("exit %d (killed by a signal: %v), want %d\n%s", e.code, e.signal, code, e.stderr)
	}
	if got := finalLine(e.stderr); got != last {
		t.Errorf("last line of stderr:\n%s\nwant:\n%s", got, last)
	}
}

// Every stop signal, inside the transaction or after it committed: the
// hosts are as the last line says, and no lock is left.
func TestEveryWayARunEndsTellsTheTruth(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	d := newDeployEnv(t, c, appDeployfile(c, map[string]string{"h1": `"app"`, "h2": `"app"`}, hangs))
	d.deploy("20260101000001")
	live, releases := "20260101000001", []string{"20260101000001"}
	n := 1
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		for _, where := range []string{"inside", "after"} {
			n++
			release := "2026010100000" + string(rune('0'+n))
			t.Run(sig.String()+" "+where, func(t *testing.T) {
				cmd, wait := startLuacap(t, d, io.Discard, "deploy", "-s", "release_name="+release, "-s", "hang="+where, "-s", "mark="+release)
				for _, h := range c.Hosts {
					waitForFile(t, h.Path("/var/www/hanging-"+release))
				}
				cmd.Process.Signal(sig)
				end := wait()
				if where == "inside" {
					end.expect(t, 130, "luacap: interrupted during hang: the transaction deploy:update was undone on every host")
				} else {
					live, releases = release, append(releases, release)
					end.expect(t, 130, "luacap: interrupted during deploy:restart: deploy:update had completed and stays; "+
						"not run: deploy:restart, deploy:finishing, deploy:finished")
				}
				d.expectState(live, releases...)
			})
		}
	}
}

// stdout a pipe whose reader goes away mid-deploy (`luacap deploy | head`,
// or tee killed by the Ctrl-C): without a signal the deploy completes;
// with one it is undone; exit codes as if the output were still read.
func TestAClosedStdoutChangesNothing(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	d := newDeployEnv(t, c, appDeployfile(c, map[string]string{"h1": `"app"`, "h2": `"app"`}, hangs))
	d.deploy("20260101000001")
	for _, tt := range []struct {
		name      string
		release   string
		interrupt bool
		code      int
		last      string
		live      string
		releases  []string
	}{
		{"no signal", "20260101000002", false, 0, "", "20260101000002", []string{"20260101000001", "20260101000002"}},
		{"then SIGINT", "20260101000003", true, 130,
			"luacap: interrupted during hang: the transaction deploy:update was undone on every host",
			"20260101000002", []string{"20260101000001", "20260101000002"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			gate := filepath.Join(d.dir, "gate")
			os.Remove(gate)
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd, wait := startLuacap(t, d, w, "deploy", "-s", "release_name="+tt.release, "-s", "hang=gate")
			w.Close()
			readUntil(t, r, "* hang")
			r.Close() // the reader goes; luacap writes on
			if tt.interrupt {
				cmd.Process.Signal(syscall.SIGINT)
			} else {
				d.write(gate, "")
			}
			end := wait()
			if tt.last == "" { // a success prints no error: stderr is empty
				if end.signal || end.code != 0 || end.stderr != "" {
					t.Errorf("exit %d (killed by a signal: %v), want 0 and no error:\n%s", end.code, end.signal, end.stderr)
				}
			} else {
				end.expect(t, tt.code, tt.last)
			}
			d.expectState(tt.live, tt.releases...)
		})
	}
}

// finalLine is the last non-empty line of s.
func finalLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// readUntil reads r's lines until one is want.
func readUntil(t *testing.T, r io.Reader, want string) {
	t.Helper()
	s := bufio.NewScanner(r)
	for s.Scan() {
		if s.Text() == want {
			return
		}
	}
	t.Fatalf("the output ended before %q", want)
}
