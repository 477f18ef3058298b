package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// formatVariants are the renderings a golden exists for.
var formatVariants = []struct {
	name string
	args []string
}{
	{"pretty", []string{"--color", "never"}},
	{"pretty-color", []string{"--color", "always"}},
	{"verbose", []string{"-v"}},
	{"json", []string{"--format", "json"}},
}

// TestOutputGoldens runs the demo for real (the local transport) in each
// format: a deploy, a deploy that fails after the switch and is undone, a
// rollback, a dry run; and compares each transcript with its golden file.
// What differs from one machine or run to the next (times, the machine's
// name and pid, the temporary directories) is replaced first.
func TestOutputGoldens(t *testing.T) {
	t.Setenv("USER", "deployer")
	for _, v := range formatVariants {
		t.Run(v.name, func(t *testing.T) {
			r := newDemoRun(t, v.args)
			r.golden("deploy", demo, "deploy")
			r.golden("failed", "testdata/output/fail.lua", "deploy")
			r.run(demo, "deploy")
			r.golden("rollback", demo, "deploy:rollback")
			r.golden("dry-run", demo, "deploy", "--dry-run")
		})
	}
}

// demoRun is a series of runs of the demo into one directory, each a
// minute after the one before.
type demoRun struct {
	t       *testing.T
	variant string
	args    []string
	www     string
	log     string
	clock   time.Time
}

func newDemoRun(t *testing.T, args []string) *demoRun {
	t.Helper()
	dir := t.TempDir()
	www := filepath.Join(dir, "www")
	t.Setenv("LUACAP_DEMO_DIR", www)
	return &demoRun{t: t, variant: filepath.Base(t.Name()), args: args, www: www,
		log: filepath.Join(dir, "luacap.log"), clock: fixedNow}
}

// run runs luacap on file with args and returns its normalized stdout.
func (r *demoRun) run(file string, args ...string) (int, string) {
	r.t.Helper()
	var out, errOut strings.Builder
	now := r.clock
	r.clock = r.clock.Add(time.Minute)
	full := append(append([]string{"-f", file, "local"}, args...), append([]string{"--log", r.log}, r.args...)...)
	env := map[string]string{"COLUMNS": "100000"} // commands whole: machine-specific paths would move the cut
	code := runWith(full, stdio{out: &out, err: &errOut}, env, hooks{now: func() time.Time { return now }})
	return code, r.normalize(out.String())
}

func (r *demoRun) golden(scenario, file string, args ...string) {
	r.t.Helper()
	code, out := r.run(file, args...)
	if want := scenario == "failed"; want != (code != exitOK) {
		r.t.Fatalf("%s: exit %d\n%s", scenario, code, out)
	}
	golden(r.t, "output/"+scenario+"-"+r.variant+".txt", out)
}

var (
	durations   = regexp.MustCompile(`\b\d+\.\d{3}s\b`)
	jsonSeconds = regexp.MustCompile(`"seconds":[0-9.e-]+`)
	tempDirs    = regexp.MustCompile(`/tmp/luacap-copy-[0-9a-f]{12}`)
)

// normalize replaces what differs between machines and runs.
func (r *demoRun) normalize(s string) string {
	s = strings.ReplaceAll(s, r.log, "log/luacap.log")
	s = strings.ReplaceAll(s, r.www, "/srv/luacap-demo")
	if host, err := os.Hostname(); err == nil { // the lock's record: this machine and process
		pid := strconv.Itoa(os.Getpid())
		s = strings.ReplaceAll(s, "@"+host+" (pid "+pid+")", "@this-machine (pid 0)")
		s = strings.ReplaceAll(s, "| "+host+" "+pid+"\n", "| this-machine 0\n")
		s = strings.ReplaceAll(s, `"text":"`+host+" "+pid+`"`, `"text":"this-machine 0"`)
	}
	s = tempDirs.ReplaceAllString(s, "/tmp/luacap-copy")
	s = durations.ReplaceAllString(s, "0.000s")
	return jsonSeconds.ReplaceAllString(s, `"seconds":0`)
}
