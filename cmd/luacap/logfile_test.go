package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const logDeployfile = `
server("h1", { transport = "local" })
task("hello", function() run("echo hello-from-'h1'") end)
`

// runIn runs luacap in dir as a user would: the default log applies.
func runIn(t *testing.T, dir string, args ...string) (int, string) {
	t.Helper()
	t.Chdir(dir)
	var out, errOut strings.Builder
	code := runWith(args, stdio{out: &out, err: &errOut}, map[string]string{"USER": "alice"}, hooks{})
	return code, out.String() + errOut.String()
}

// The log is the verbose rendering with a timestamp on every line,
// appended per run under a header naming who ran what; the terminal's
// pretty rendering hides the command's output, the log keeps it.
func TestTheLogFileIsAppendedPerRun(t *testing.T) {
	dir := deployfile(t, logDeployfile)
	for i := 0; i < 2; i++ {
		if code, out := runIn(t, dir, "hello"); code != exitOK || strings.Contains(out, "hello-from-h1") {
			t.Fatalf("exit %d, or the output shown on the terminal:\n%s", code, out)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "log", "luacap.log"))
	if err != nil {
		t.Fatal(err)
	}
	log := string(b)
	if n := strings.Count(log, "=== luacap dev: hello, run by alice with "); n != 2 {
		t.Errorf("%d run headers, want 2:\n%s", n, log)
	}
	if n := strings.Count(log, "  h1 | hello-from-h1\n"); n != 2 {
		t.Errorf("the command's output is in the log %d times, want 2:\n%s", n, log)
	}
	stamp := regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} `)
	for _, line := range strings.Split(strings.TrimSuffix(log, "\n"), "\n") {
		if !stamp.MatchString(line) {
			t.Errorf("a line without its time: %q", line)
		}
	}
}

// Where the log goes: --log FILE, set("log_file"), or nowhere with
// --log - or log_file = "-"; never beside the Deployfile then.
func TestTheLogFileGoesWhereItIsTold(t *testing.T) {
	tests := []struct {
		name, extra string
		args        []string
		want        string // relative to the Deployfile's directory; "" for none
	}{
		{"default", "", nil, "log/luacap.log"},
		{"--log FILE", "", []string{"--log", "elsewhere/run.log"}, "elsewhere/run.log"},
		{"--log -", "", []string{"--log", "-"}, ""},
		{"log_file", `set("log_file", "deploy.log")`, nil, "deploy.log"},
		{"log_file -", `set("log_file", "-")`, nil, ""},
		{"--log wins over log_file", `set("log_file", "deploy.log")`, []string{"--log", "cli.log"}, "cli.log"},
		{"a dry run keeps no log", "", []string{"--dry-run"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := deployfile(t, logDeployfile+tt.extra+"\n")
			if code, out := runIn(t, dir, append([]string{"hello"}, tt.args...)...); code != exitOK {
				t.Fatalf("exit %d:\n%s", code, out)
			}
			logs := logsUnder(t, dir)
			if tt.want == "" && len(logs) > 0 || tt.want != "" && (len(logs) != 1 || logs[0] != tt.want) {
				t.Errorf("logs written: %v, want %q", logs, tt.want)
			}
		})
	}
}

// logsUnder lists the files under dir that are not the Deployfile.
func logsUnder(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() != "Deployfile.lua" {
			rel, _ := filepath.Rel(dir, path)
			out = append(out, rel)
		}
		return nil
	})
	return out
}
