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
		if left := leftOn(h, "sleep"); len(left) > 0 {
			t.Errorf("second session %s: left running on the host after the interrupt: %v", second, left)
		}
	}
}

// rcFiles are the files each login shell reads for every command sshd
// runs, as root's: bash reads .bashrc when sshd starts it.
var rcFiles = map[string]string{"bash": ".bashrc", "zsh": ".zshenv", "tcsh": ".tcshrc", "fish": ".config/fish/config.fish"}

// What the user's rc files print ahead of every command (a greeting, a
// number: `ulimit -n`, or here the pid of another process group) is no
// command's output and names no group to kill: under each login shell
// that prints, commands in the shell and with stdin give only their own
// output, rsync() over the connection speaks its protocol, and an
// interrupt stops the command, not the group the rc file named.
func TestWhatRCFilesPrintIsNeitherOutputNorAPid(t *testing.T) {
	for _, login := range []string{"/bin/bash", "/usr/bin/zsh", "/usr/bin/tcsh", "/usr/bin/fish"} {
		name := filepath.Base(login)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := harness.Start(t, 1, harness.Options{LoginShell: login})
			h := c.Hosts[0]
			decoy := exec.Command("sleep", "60")
			decoy.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			if err := decoy.Start(); err != nil {
				t.Fatal(err)
			}
			defer decoy.Process.Kill()
			rc := filepath.Join(h.Home(), rcFiles[name])
			os.MkdirAll(filepath.Dir(rc), 0o755)
			if err := os.WriteFile(rc, []byte(fmt.Sprintf("echo %d\necho welcome\nprintf no-new-line\n", decoy.Process.Pid)), 0o644); err != nil {
				t.Fatal(err)
			}
			src := preamble(c, map[string]string{"h1": `"app"`}) + `
task("long", function()
  on(roles("app"), function()
    execute("echo in the shell")
    execute("cat > /dev/null; echo with stdin", { stdin = "Deployfile.lua" })
    rsync(os.getenv("SRC"), "/var/www/sent")
    execute("echo started > /var/www/started; trap '' HUP PIPE; exec sleep 37 <&-", { stdin = "Deployfile.lua" })
  end)
end)`
			dir := harness.WriteDeployfile(t, src)
			cmd, out := interruptOnceStarted(t, c, dir, h.Path("/var/www/started"), "LUACAP_FORMAT=verbose", "SRC="+sendSource(t, dir))
			cmd.Wait()
			for _, want := range []string{"h1 | in the shell\n", "h1 | with stdin\n"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("no %q in the output", want)
				}
			}
			if got, _ := os.ReadFile(h.Path("/var/www/sent/f")); string(got) != "sent\n" {
				t.Errorf("rsync() sent f = %q", got)
			}
			if strings.Contains(out.String(), "welcome") || strings.Contains(out.String(), "no-new-line") || cmd.ProcessState.ExitCode() != 130 {
				t.Errorf("exit %d, want 130 and nothing of the rc file:\n%s", cmd.ProcessState.ExitCode(), tail(out.String(), 20))
			}
			if syscall.Kill(decoy.Process.Pid, 0) != nil {
				t.Error("the interrupt killed the process group the rc file printed")
			}
			if left := leftOn(h, "sleep"); len(left) > 0 {
				t.Errorf("left running on the host after the interrupt: %v", left)
			}
		})
	}
}

// leftOn lists the processes named name still on h a moment after an
// interrupt (the kill's own session ends soon after the group it
// stopped), and kills them.
func leftOn(h *harness.Host, name string) []string {
	var left []string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if left = hostProcesses(h, name); len(left) == 0 {
			break
		}
	}
	for _, p := range left {
		exec.Command("kill", "-9", strings.TrimSuffix(strings.Fields(p)[0], ":")).Run()
	}
	return left
}

// Behind a ForceCommand that runs the command it was sent without exec
// (a wrapper that logs it, say), the program that writes the pid is not
// its group's leader: an interrupt still stops the command, with stdin
// and in the shell, and the group is the session's, wrapper and all.
func TestInterruptStopsACommandBehindAForceCommandWrapper(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	h := c.Hosts[0]
	wrapper := filepath.Join(t.TempDir(), "wrapper")
	script := "#!/bin/sh\necho \"$SSH_ORIGINAL_COMMAND\" > /dev/null\n/bin/sh -c \"$SSH_ORIGINAL_COMMAND\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := h.Reconfigure(func(cfg string) string { return cfg + "ForceCommand " + wrapper + "\n" }); err != nil {
		t.Fatal(err)
	}
	src := preamble(c, map[string]string{"h1": `"app"`}) + `
task("long", function()
  on(roles("app"), function()
    local opts = os.getenv("STDIN") == "1" and { stdin = "Deployfile.lua" } or {}
    execute("echo started > /var/www/started; trap '' HUP PIPE; exec sleep 37 <&-", opts)
  end)
end)`
	dir := harness.WriteDeployfile(t, src)
	for _, stdin := range []string{"0", "1"} {
		os.Remove(h.Path("/var/www/started"))
		cmd, out := interruptOnceStarted(t, c, dir, h.Path("/var/www/started"), "STDIN="+stdin)
		cmd.Wait()
		if code := cmd.ProcessState.ExitCode(); code != 130 {
			t.Errorf("stdin %s: the interrupted run exited %d, want 130\n%s", stdin, code, tail(out.String(), 6))
		}
		if left := leftOn(h, "sleep"); len(left) > 0 {
			t.Errorf("stdin %s: left running on the host after the interrupt: %v", stdin, left)
		}
	}
}
