package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// local_tempdir makes a directory that is there while the run goes on and
// gone once it has ended, however it ended: success, a failed task, a
// background command still writing there (stopped first).
func TestALocalTempdirIsRemovedAsTheRunEnds(t *testing.T) {
	tests := []struct {
		name, body string
		fails      bool
	}{
		{"the run succeeds", ``, false},
		{"a task fails", `error("boom")`, true},
		{"a background command still writes there", `run_locally("while :; do date > " .. dir .. "/busy; sleep 0.01; done", { background = true })`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := load(t, `
task("x", function()
  local dir = local_tempdir("build")
  run_locally("echo x > " .. dir .. "/file")
  table.insert(trace, dir)
  `+tt.body+`
end)`)
			err := r.run("x")
			if (err != nil) != tt.fails {
				t.Fatalf("run: %v\n%s", err, r.out)
			}
			dir := firstTrace(t, r)
			if !strings.HasPrefix(filepath.Base(dir), "luacap-build-") {
				t.Errorf("the directory is %s, want one named luacap-build-...", dir)
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Errorf("%s is still there after the run (%v)", dir, err)
			}
		})
	}
}

// A dry run makes no directory and returns where it would be; a name that
// does not fit in a path is refused at the caller's line.
func TestALocalTempdirInADryRunAndABadName(t *testing.T) {
	r := load(t, `
task("x", function() table.insert(trace, local_tempdir("copy")) end)
task("bad", function() local_tempdir("../x") end)`, dryRun)
	r.mustRun(t, "x")
	want := filepath.Join(os.TempDir(), "luacap-copy")
	if got := firstTrace(t, r); got != want {
		t.Errorf("a dry run returned %s, want %s", got, want)
	}
	if _, err := os.Stat(want); err == nil {
		t.Errorf("a dry run made %s", want)
	}
	err := r.errText(r.run("bad"))
	if !strings.Contains(err, "DIR/Deployfile.lua:4:") || !strings.Contains(err, "a name is 1 to 32 letters") {
		t.Errorf("a bad name: %q, want the line and what a name may hold", err)
	}
}

// firstTrace is the first value the task put in trace.
func firstTrace(t *testing.T, r *testRun) string {
	t.Helper()
	tr := r.trace()
	if len(tr) == 0 {
		t.Fatalf("the task traced nothing:\n%s", r.out)
	}
	return tr[0]
}

// At load time there may be no run to remove the directory (luacap -T):
// local_tempdir is refused there, at the caller's line.
func TestALocalTempdirIsRefusedAtLoadTime(t *testing.T) {
	_, err := tryLoad(t, `local dir = local_tempdir("early")`)
	if err == nil || !strings.Contains(err.Error(), "Deployfile.lua:2:") || !strings.Contains(err.Error(), "inside a task") {
		t.Errorf("load = %v, want a refusal at line 2 that says to call it inside a task", err)
	}
	if dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "luacap-early-*")); len(dirs) > 0 {
		t.Errorf("a refused call made %v", dirs)
	}
}
