package spec

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/luacap/luacap/spec/harness"
)

// Under MaxSessions 2, an interrupt still stops a command with
// stdin that ignores SIGTERM and the end of its input, once the shell
// is open (and, with prepare_rsync(), a channel opened ahead is idle):
// the kill's session must find room.
func TestAttack7InterruptUnderFewSessions(t *testing.T) {
	t.Parallel()
	for _, max := range []int{2} { // 3 held too; 2 is the tight case
		for _, prepare := range []string{"0", "1"} {
			max, prepare := max, prepare
			t.Run(fmt.Sprintf("MaxSessions %d prepare %s", max, prepare), func(t *testing.T) {
				t.Parallel()
				c := harness.Start(t, 1, harness.Options{})
				h := c.Hosts[0]
				if err := h.Reconfigure(func(cfg string) string { return fmt.Sprintf("MaxSessions %d\n", max) + cfg }); err != nil {
					t.Fatal(err)
				}
				src := preamble(c, map[string]string{"h1": `"app"`}) + `
task("long", function()
  on(roles("app"), function()
    if os.getenv("PREPARE") == "1" then prepare_rsync() end
    execute("true")
    execute("echo started > /var/www/started; trap '' HUP PIPE TERM; exec sleep 37 <&-", { stdin = "Deployfile.lua" })
  end)
end)`
				dir := harness.WriteDeployfile(t, src)
				os.Remove(h.Path("/var/www/started"))
				cmd, out := interruptOnceStarted(t, c, dir, h.Path("/var/www/started"), "PREPARE="+prepare)
				cmd.Wait()
				if code := cmd.ProcessState.ExitCode(); code != 130 {
					t.Errorf("exit %d, want 130\n%s", code, tail(out.String(), 6))
				}
				if left := leftOn(h, "sleep"); len(left) > 0 {
					t.Errorf("left running on the host after the interrupt: %v\n%s", left, tail(out.String(), 6))
				}
			})
		}
	}
}

// An interrupt while rsync() runs on the channel prepare_rsync() opened
// (MaxSessions default; TestAttack7InterruptUnderFewSessions has 2): exit
// 130, no rsync left on the host.
func TestAttack7InterruptDuringPreparedRsync(t *testing.T) {
	t.Parallel()
	for _, max := range []int{0} {
		max := max
		t.Run(fmt.Sprintf("MaxSessions %d", max), func(t *testing.T) {
			t.Parallel()
			c := harness.Start(t, 1, harness.Options{})
			h := c.Hosts[0]
			if max > 0 {
				if err := h.Reconfigure(func(cfg string) string { return fmt.Sprintf("MaxSessions %d\n", max) + cfg }); err != nil {
					t.Fatal(err)
				}
			}
			src := preamble(c, map[string]string{"h1": `"app"`}) + `
task("long", function()
  on(roles("app"), function()
    prepare_rsync()
    execute("true")
    execute("cat > /dev/null", { stdin = "Deployfile.lua" })
    rsync(os.getenv("SRC"), "/var/www/sent")
  end)
end)`
			dir := harness.WriteDeployfile(t, src)
			big := randomDir(t, dir, 150)
			cmd := exec.Command(luacap, "long")
			cmd.Dir = dir
			cmd.Env = []string{"HOME=" + c.Home(), "PATH=" + os.Getenv("PATH"), "USER=root", "SRC=" + big}
			out := &strings.Builder{}
			cmd.Stdout, cmd.Stderr = out, out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			for deadline := time.Now().Add(20 * time.Second); len(hostProcesses(h, "rsync")) == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			}
			time.Sleep(300 * time.Millisecond)
			cmd.Process.Signal(syscall.SIGINT)
			cmd.Wait()
			t.Log(tail(out.String(), 4))
			if code := cmd.ProcessState.ExitCode(); code != 130 {
				t.Errorf("exit %d, want 130\n%s", code, tail(out.String(), 8))
			}
			if left := leftOn(h, "rsync"); len(left) > 0 {
				t.Errorf("left running on the host after the interrupt: %v", left)
			}
		})
	}
}

// command_timeout ends an rsync() on the channel prepare_rsync() opened:
// the run fails soon, and no rsync is left on the host.
func TestAttack7CommandTimeoutOnPreparedRsync(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	h := c.Hosts[0]
	if err := h.Reconfigure(func(cfg string) string { return "MaxSessions 2\n" + cfg }); err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(preamble(c, map[string]string{"h1": `"app"`}), "config = ", "command_timeout = 1, config = ", 1) + `
task("long", function()
  on(roles("app"), function()
    prepare_rsync()
    execute("true")
    rsync(os.getenv("SRC"), "/var/www/sent")
  end)
end)`
	dir := harness.WriteDeployfile(t, src)
	big := randomDir(t, dir, 200)
	cmd := exec.Command(luacap, "long")
	cmd.Dir = dir
	cmd.Env = []string{"HOME=" + c.Home(), "PATH=" + os.Getenv("PATH"), "USER=root", "SRC=" + big}
	out, _ := cmd.CombinedOutput()
	t.Log(tail(string(out), 5))
	if cmd.ProcessState.ExitCode() == 0 {
		t.Errorf("the run succeeded")
	}
	if left := leftOn(h, "rsync"); len(left) > 0 {
		t.Errorf("left running on the host after the timeout: %v", left)
	}
}

// The connection drops (sshd kills its sessions) between prepare_rsync()
// and rsync(): the rsync dials again and sends, on a channel of the new
// connection.
func TestAttack7RedialBetweenPrepareAndRsync(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	h := c.Hosts[0]
	src := preamble(c, map[string]string{"h1": `"app"`}) + `
task("long", function()
  on(roles("app"), function()
    prepare_rsync()
    execute("true")
    run_locally("touch " .. os.getenv("MARK") .. "; sleep 2")
    rsync(os.getenv("SRC"), "/var/www/sent")
  end)
end)`
	dir := harness.WriteDeployfile(t, src)
	mark := filepath.Join(dir, "mark")
	cmd := exec.Command(luacap, "long")
	cmd.Dir = dir
	cmd.Env = []string{"HOME=" + c.Home(), "PATH=" + os.Getenv("PATH"), "USER=root", "SRC=" + sendSource(t, dir), "MARK=" + mark}
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitForFile(t, mark)
	time.Sleep(300 * time.Millisecond)
	h.KillSessions()
	cmd.Wait()
	if cmd.ProcessState.ExitCode() != 0 {
		t.Errorf("exit %d\n%s", cmd.ProcessState.ExitCode(), tail(out.String(), 8))
	}
	if got, _ := os.ReadFile(h.Path("/var/www/sent/f")); string(got) != "sent\n" {
		t.Errorf("rsync() sent f = %q", got)
	}
}

// randomDir makes dir/big holding one file of mb MiB that compresses not
// at all: an rsync of it runs long enough to be interrupted or timed out.
func randomDir(t *testing.T, dir string, mb int) string {
	t.Helper()
	big := filepath.Join(dir, "big")
	os.MkdirAll(big, 0o755)
	if err := exec.Command("dd", "if=/dev/urandom", "of="+filepath.Join(big, "blob"), "bs=1M", fmt.Sprintf("count=%d", mb)).Run(); err != nil {
		t.Fatal(err)
	}
	return big
}
