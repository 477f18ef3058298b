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
	if pid := readPid(t, r.dir); running(pid) {
		t.Errorf("process %s of the background command still runs after the run ended", pid)
	}
}

func readPid(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "pid"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// running reports whether process pid runs: a zombie waiting to be
// reaped does not.
func running(pid string) bool {
	stat, err := os.ReadFile("/proc/" + pid + "/stat")
	return err == nil && !strings.Contains(string(stat), ") Z ")
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

// A failing run_locally, in the background or not, names the line of the
// user's call, not the prelude's.
func TestRunLocallyFailuresNameTheCallersLine(t *testing.T) {
	r := load(t, `
task("x", function() run_locally("exit 5") end)`)
	if err := r.errText(r.run("x")); !strings.Contains(err, "DIR/Deployfile.lua:3:") {
		t.Errorf("error %q does not name Deployfile.lua:3", err)
	}
}

// rsync in the background starts once the job it follows has ended well,
// runs while the task goes on, and wait() returns once it has sent.
func TestABackgroundRsyncFollowsTheJobItIsAfter(t *testing.T) {
	r := load(t, `
server("h1", { transport = "local", roles = { "web" } })
task("x", function()
  local dir = fetch("dir")
  local build = run_locally("mkdir -p " .. dir .. "/src && while [ ! -f " .. dir .. "/go ]; do sleep 0.01; done; echo built > " .. dir .. "/src/app.css", { background = true })
  local sends = {}
  on(roles("web"), function(h) sends[h.name] = rsync(dir .. "/src", dir .. "/dst", { background = true, after = build }) end)
  run_locally("touch " .. dir .. "/go")
  build:wait()
  on(roles("web"), function(h) sends[h.name]:wait() end)
  table.insert(trace, run_locally("cat " .. dir .. "/dst/app.css"))
end)
task("failed", function()
  local dir = fetch("dir")
  local build = run_locally("exit 1", { background = true })
  on(roles("web"), function(h)
    local ok, err = pcall(rsync(dir .. "/src", dir .. "/never", { background = true, after = build }).wait)
    table.insert(trace, tostring(ok) .. " " .. tostring(err:match("not started: exit 1, which it follows, failed") ~= nil))
  end)
end)
task("bad", function() on(roles("web"), function() rsync("a", "b", { background = true, after = { id = 99 } }) end) end)`)
	r.mustRun(t, "x")
	r.mustRun(t, "failed")
	wantTrace(t, r, "built", "false true")
	if _, err := os.Stat(filepath.Join(r.dir, "never")); err == nil {
		t.Error("the rsync after a failed job sent anyway")
	}
	if err := r.errText(r.run("bad")); !strings.Contains(err, "rsync() after: give the job a background command returned") {
		t.Errorf("error = %s", err)
	}
}

// A transaction that fails stops what it started in the background
// before its undo runs: the undo's rm does not race a writer.
func TestAFailedTransactionStopsItsBackgroundCommandsBeforeTheUndo(t *testing.T) {
	r := load(t, `
task("x", { transaction = true }, function()
  local dir = fetch("dir")
  run_locally("while :; do mkdir -p " .. dir .. "/out && date > " .. dir .. "/out/f; sleep 0.01; done", { background = true })
  on_rollback(function() run_locally("rm -rf " .. fetch("dir") .. "/out; sleep 0.2") end)
  run_locally("while [ ! -f " .. dir .. "/out/f ]; do sleep 0.01; done; exit 1")
end)`)
	if err := r.run("x"); err == nil {
		t.Fatal("the transaction did not fail")
	}
	// A writer still running after the undo's rm made out/ again before
	// the run's end stopped it.
	if _, err := os.Stat(filepath.Join(r.dir, "out")); err == nil {
		t.Error("out/ is there after the undo removed it: the background command was still writing")
	}
}

// stop() stops a background command at once, its whole process group;
// a wait() after it says it was stopped.
func TestABackgroundCommandStops(t *testing.T) {
	r := load(t, `
task("x", function()
  local dir = fetch("dir")
  local job = run_locally("sh -c 'echo $$ > " .. dir .. "/pid; sleep 30' & wait", { background = true })
  run_locally("while [ ! -s " .. dir .. "/pid ]; do sleep 0.01; done")
  job:stop()
  -- a zombie not yet reaped counts as gone
  table.insert(trace, run_locally("s=$(cat /proc/$(cat " .. dir .. "/pid)/stat 2>/dev/null); case \"$s\" in ''|*') Z '*) echo gone ;; *) echo running ;; esac"))
  local ok, err = pcall(job.wait)
  table.insert(trace, tostring(ok) .. " " .. tostring(err:match("stopped before it ended") ~= nil))
  job:stop()
end)`)
	start := time.Now()
	r.mustRun(t, "x")
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("the run took %v: stop() did not stop the command", took)
	}
	wantTrace(t, r, "gone", "false true")
}

// A background rsync with no rsync on this machine says so, as rsync()
// does, not that it is missing on the host it sends to.
func TestABackgroundRsyncWithoutRsyncHereSaysSo(t *testing.T) {
	bin := t.TempDir()
	if err := os.Symlink("/bin/sh", filepath.Join(bin, "sh")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	r := load(t, `
server("h1", { transport = "local", roles = { "web" } })
task("x", function()
  local dir = fetch("dir")
  on(roles("web"), function(h)
    local ok, err = pcall(rsync(dir, dir .. "/never", { background = true }).wait)
    table.insert(trace, tostring(ok) .. " " .. tostring(err:match("rsync is not installed on this machine") ~= nil))
  end)
end)`)
	r.mustRun(t, "x")
	wantTrace(t, r, "false true")
}

// A background command with after runs once that job has ended well, and
// fails, running nothing, when it did not.
func TestABackgroundCommandFollowsTheJobItIsAfter(t *testing.T) {
	r := load(t, `
task("x", function()
  local dir = fetch("dir")
  local first = run_locally("while [ ! -f " .. dir .. "/go ]; do sleep 0.01; done; echo one > " .. dir .. "/log", { background = true })
  local second = run_locally("echo two >> " .. dir .. "/log; cat " .. dir .. "/log", { background = true, after = first })
  run_locally("touch " .. dir .. "/go")
  table.insert(trace, (second:wait():gsub("\n", " ")))
  local failed = run_locally("exit 1", { background = true })
  local never = run_locally("touch " .. dir .. "/never", { background = true, after = failed })
  local ok, err = pcall(never.wait)
  table.insert(trace, tostring(ok) .. " " .. tostring(err:match("not started: exit 1, which it follows, failed") ~= nil))
end)`)
	r.mustRun(t, "x")
	wantTrace(t, r, "one two", "false true")
	if _, err := os.Stat(filepath.Join(r.dir, "never")); err == nil {
		t.Error("the command after a failed job ran")
	}
}

// after orders a background command after a job; given to a command run
// at once it was ignored: the command ran before the job it was to
// follow had ended. It is refused, and so is an after that is no job.
func TestAfterWithoutBackgroundIsRefused(t *testing.T) {
	r := load(t, `
task("x", function()
  local dir = fetch("dir")
  local first = run_locally("while [ ! -f " .. dir .. "/go ]; do sleep 0.01; done", { background = true })
  local ok, err = pcall(run_locally, "touch " .. dir .. "/early", { after = first })
  table.insert(trace, tostring(ok) .. " " .. tostring(tostring(err):match("background = true") ~= nil))
  for _, bad in ipairs({ 5, {}, { id = 99 } }) do
    ok, err = pcall(run_locally, "true", { background = true, after = bad })
    table.insert(trace, tostring(ok) .. " " .. tostring(tostring(err):match("run_locally%(%) after") ~= nil))
  end
  run_locally("touch " .. dir .. "/go")
  first:wait()
end)`)
	r.mustRun(t, "x")
	wantTrace(t, r, "false true", "false true", "false true", "false true")
	if _, err := os.Stat(filepath.Join(r.dir, "early")); err == nil {
		t.Error("the command given after ran before the job it follows had ended")
	}
}
