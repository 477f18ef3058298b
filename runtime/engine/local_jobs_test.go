package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A background command runs while the task goes on: the task's next
// command starts before it ends (it waits on a file the task writes), and
// wait() returns its output, the same each time.
func TestABackgroundCommandRunsWhileTheTaskGoesOn(t *testing.T) {
	r := load(t, `
task("x", function()
  local dir = fetch("dir")
  local job = run_locally("while [ ! -f " .. dir .. "/go ]; do sleep 0.01; done; echo built", { background = true })
  run_locally("touch " .. dir .. "/go")
  table.insert(trace, "waited=" .. job:wait())
  table.insert(trace, "again=" .. job.wait())
end)`)
	r.mustRun(t, "x")
	wantTrace(t, r, "waited=built", "again=built")
	// Its output is printed where it is waited for, once.
	out := r.out.String()
	if touch, built := strings.Index(out, "$ touch"), strings.Index(out, "| built"); touch < 0 || built < touch || strings.Count(out, "| built") != 1 {
		t.Errorf("the background command's output is not printed once, after the command the task ran meanwhile:\n%s", out)
	}
}

// A failed background command raises at the wait() that takes it, with
// the line of that wait, the command and its exit; pcall catches it.
func TestABackgroundCommandFailsWhereItIsWaitedFor(t *testing.T) {
	r := load(t, `
task("caught", function()
  local job = run_locally("echo no disk >&2; exit 3", { background = true })
  local ok, err = pcall(job.wait)
  table.insert(trace, tostring(ok) .. " " .. tostring(err:match("exit status 3") ~= nil) .. " " .. tostring(err:match("no disk") ~= nil))
end)
task("raised", function()
  local job = run_locally("exit 4", { background = true })
  job:wait()
end)`)
	r.mustRun(t, "caught")
	wantTrace(t, r, "false true true")
	err := r.errText(r.run("raised"))
	for _, want := range []string{"task raised failed", "DIR/Deployfile.lua:10:", "exit 4", "exit status 4"} {
		if !strings.Contains(err, want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

// A background command nobody waits for is stopped as the run ends, its
// whole process group, before Run returns.
func TestABackgroundCommandNotWaitedForIsStoppedAsTheRunEnds(t *testing.T) {
	r := load(t, `
task("x", function()
  local dir = fetch("dir")
  run_locally("sh -c 'echo $$ > " .. dir .. "/pid; sleep 30' & wait", { background = true })
  run_locally("while [ ! -s " .. dir .. "/pid ]; do sleep 0.01; done")
end)`)
	start := time.Now()
	r.mustRun(t, "x")
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("the run took %v: it waited for the background command instead of stopping it", took)
	}
	b, err := os.ReadFile(filepath.Join(r.dir, "pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid := strings.TrimSpace(string(b))
	if _, err := os.Stat("/proc/" + pid); err == nil {
		if stat, _ := os.ReadFile("/proc/" + pid + "/stat"); !strings.Contains(string(stat), ") Z ") {
			t.Errorf("process %s of the background command still runs after the run ended", pid)
		}
	}
}

// A dry run prints a background command where it is started and wait()
// returns the stand-in.
func TestABackgroundCommandInADryRun(t *testing.T) {
	r := load(t, `
task("x", function()
  local job = run_locally("git archive main", { background = true, dry_run = "packed" })
  run_locally("echo next")
  table.insert(trace, job:wait())
end)`, dryRun)
	r.mustRun(t, "x")
	wantTrace(t, r, "packed")
	out := r.out.String()
	if a, b := strings.Index(out, "git archive main"), strings.Index(out, "echo next"); a < 0 || b < a {
		t.Errorf("dry run output does not print the background command before the next one:\n%s", out)
	}
}
