package spec

import (
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

var fourApp = map[string]string{"h1": `"app"`, "h2": `"app"`, "h3": `"app"`, "h4": `"app"`}

func TestFailureInFinalizeLeavesEveryHostAsItWas(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 4, harness.Options{})
	// On h3 only, shared/tmp becomes a file once deploy:check has passed:
	// linking tmp/pids in finalize_update fails there.
	d := newDeployEnv(t, c, appDeployfile(c, fourApp, `
before("deploy:finalize_update", function()
  if fetch("release_name") ~= "20260101000002" then return end
  on("h3", function() execute("rm -rf `+shop+`/shared/tmp && echo 'not a directory' > `+shop+`/shared/tmp") end)
end)`))
	d.deploy("20260101000001")
	r := d.run("deploy", "-s", "release_name=20260101000002")
	if r.Code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", r.Code, r.Output())
	}
	if !strings.Contains(r.Stderr, "task deploy:finalize_update failed: failed on 1 of 4 hosts:") ||
		!strings.Contains(r.Stderr, "h3: command failed with exit status 1: mkdir -p") ||
		!strings.Contains(r.Stderr, "mkdir: cannot create directory '"+shop+"/shared/tmp': Not a directory") {
		t.Errorf("the error does not name h3 with its stderr:\n%s", r.Stderr)
	}
	if !strings.Contains(r.Stdout, "* deploy:failed\n") {
		t.Errorf("deploy:failed did not fire:\n%s", r.Stdout)
	}
	d.expectState("20260101000001", "20260101000001")
}

func TestFailureInSymlinkSwitchesBackTheHostsAlreadySwitched(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 4, harness.Options{})
	d := newDeployEnv(t, c, appDeployfile(c, fourApp, ""))
	d.deploy("20260101000001")
	// On h2, current is a real directory: the rename over it fails while
	// the other hosts switch.
	h2 := c.Host("h2")
	if err := os.Remove(h2.Path(shop + "/current")); err != nil {
		t.Fatal(err)
	}
	d.write(h2.Path(shop+"/current/keep.txt"), "an admin's hand-made current\n")
	r := d.run("deploy", "-s", "release_name=20260101000002")
	if r.Code != 1 || !strings.Contains(r.Stderr, "h2: command failed") {
		t.Fatalf("exit %d, want 1 naming h2:\n%s", r.Code, r.Output())
	}
	for _, h := range c.Hosts {
		if h.Name == "h2" {
			if readString(t, h.Path(shop+"/current/keep.txt")) == "" {
				t.Error("h2's current directory was touched")
			}
			continue
		}
		if got := d.current(h); got != "20260101000001" {
			t.Errorf("%s: current = %q, want it switched back to 20260101000001", h.Name, got)
		}
	}
	for _, h := range c.Hosts {
		if got := d.releases(h); strings.Join(got, ",") != "20260101000001" {
			t.Errorf("%s: releases = %v, the new release was left behind", h.Name, got)
		}
	}
}

func TestInterruptMidDeployLeavesEveryHostAsItWas(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 4, harness.Options{})
	// The second deploy hangs after finalize_update, inside the transaction.
	slow := `after("deploy:finalize_update", function()
  if fetch("release_name") ~= "20260101000002" then return end
  on(roles("app"), function() execute("touch /var/www/finalized; sleep 30") end)
end)`
	d := newDeployEnv(t, c, appDeployfile(c, fourApp, slow))
	d.deploy("20260101000001")
	interruptOnceAllHave(t, d, c, "/var/www/finalized", "deploy", "-s", "release_name=20260101000002")
	d.expectState("20260101000001", "20260101000001")
}

// Ctrl-C while a pipelined task's commands are queued: the running one is
// stopped, the ones behind it never run, and the transaction is undone.
func TestInterruptWithQueuedCommandsLeavesEveryHostAsItWas(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	slow := `task("slow", { pipelined = true }, function()
  if fetch("release_name") ~= "20260101000002" then return end
  on(roles("app"), function()
    execute("touch /var/www/queued; sleep 30")
    execute("touch /var/www/after-sleep")
  end)
end)
after("deploy:finalize_update", "slow")`
	d := newDeployEnv(t, c, appDeployfile(c, map[string]string{"h1": `"app"`, "h2": `"app"`}, slow))
	d.deploy("20260101000001")
	interruptOnceAllHave(t, d, c, "/var/www/queued", "deploy", "-s", "release_name=20260101000002")
	for _, h := range c.Hosts {
		if _, err := os.Stat(h.Path("/var/www/after-sleep")); err == nil {
			t.Errorf("%s: a command queued behind the interrupted one ran", h.Name)
		}
	}
	d.expectState("20260101000001", "20260101000001")
}

// interruptOnceAllHave runs luacap with args, sends it SIGINT once every
// host has path, and expects exit status 130.
func interruptOnceAllHave(t *testing.T, d *deployEnv, c *harness.Cluster, path string, args ...string) {
	t.Helper()
	cmd, out := d.start("deployer", args...)
	for _, h := range c.Hosts {
		waitForFile(t, h.Path(path))
	}
	cmd.Process.Signal(syscall.SIGINT)
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("exit %d, want 130:\n%s", code, out.String())
	}
}
