package spec

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/luacap/luacap/spec/harness"
)

// interruptOnceStarted starts `luacap long` in dir and sends it SIGINT
// once started (a file on the host) is there.
func interruptOnceStarted(t *testing.T, c *harness.Cluster, dir, started string, env ...string) (*exec.Cmd, *strings.Builder) {
	t.Helper()
	cmd := exec.Command(luacap, "long")
	cmd.Dir = dir
	cmd.Env = append([]string{"HOME=" + c.Home(), "PATH=" + os.Getenv("PATH"), "USER=root"}, env...)
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitForFile(t, started)
	cmd.Process.Signal(syscall.SIGINT)
	return cmd, out
}

// An interrupt stops a command that reads stdin, on the host, though the
// deploy user is root (sshd refuses the "signal" request for a root
// login) and the command ignores the end of its input and SIGTERM: on the
// channel opened at connect and on a session of its own after it. luacap
// does not wait for the command's own end: sshd holds its channel open
// until then.
func TestInterruptStopsACommandWithStdinOnTheHost(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	h := c.Hosts[0]
	src := preamble(c, map[string]string{"h1": `"app"`}) + `
task("long", function()
  on(roles("app"), function()
    if os.getenv("SECOND") == "1" then execute("cat > /dev/null", { stdin = "Deployfile.lua" }) end
    execute("echo started > /var/www/started; trap '' HUP PIPE TERM; exec sleep 37 <&-", { stdin = "Deployfile.lua" })
  end)
end)`
	dir := harness.WriteDeployfile(t, src)
	for _, second := range []string{"0", "1"} {
		os.Remove(h.Path("/var/www/started"))
		cmd, out := interruptOnceStarted(t, c, dir, h.Path("/var/www/started"), "SECOND="+second)
		interrupted := time.Now()
		cmd.Wait()
		if took := time.Since(interrupted); took > 10*time.Second {
			t.Errorf("second session %s: luacap exited %v after the interrupt", second, took)
		}
		if code := cmd.ProcessState.ExitCode(); code != 130 {
			t.Errorf("second session %s: the interrupted run exited %d, want 130\n%s", second, code, tail(out.String(), 6))
		}
		var left []string
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if left = hostProcesses(h, "sleep"); len(left) == 0 {
				break
			}
		}
		if len(left) > 0 {
			t.Errorf("second session %s: left running on the host after the interrupt: %v", second, left)
			for _, p := range left {
				exec.Command("kill", "-9", strings.TrimSuffix(strings.Fields(p)[0], ":")).Run()
			}
		}
	}
}
