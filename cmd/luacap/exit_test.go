package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/luacap/luacap/runtime/engine"
)

// deployfile writes src as Deployfile.lua in a new directory and returns it.
func deployfile(t *testing.T, src string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Deployfile.lua"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

const small = `
server("h1", { transport = "local", roles = { "web" } })
desc("Says hello")
task("hello", function() run("echo hello") end)
task("fail", function() run("echo broken >&2; exit 3") end)
`

func TestExitCodesAndMessages(t *testing.T) {
	dir := deployfile(t, small)
	sub := filepath.Join(dir, "app", "deep")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	broken := deployfile(t, "task('x', function()\n  run('true'\nend)\n")
	badOpts := deployfile(t, small+"\nset(\"ssh_options\", { port = \"abc\" })\n")
	tests := []struct {
		name   string
		dir    string
		args   []string
		code   int
		stderr string
	}{
		{"ok, Deployfile found in a parent", sub, []string{"hello"}, exitOK, ""},
		{"task fails", dir, []string{"fail"}, engine.ExitFailed,
			"luacap: task fail failed: Deployfile.lua:5: h1: command failed with exit status 3: echo broken >&2; exit 3\nstderr:\n    broken\n"},
		{"unknown task", dir, []string{"helo"}, engine.ExitUsage, "luacap: task \"helo\" does not exist. Did you mean \"hello\"?\n"},
		{"no task", dir, nil, engine.ExitUsage, "luacap: no task given; luacap -T lists the tasks\n"},
		{"syntax error", broken, []string{"x"}, engine.ExitUsage, "luacap: Deployfile.lua:3: syntax error near 'end' (column 3)\n"},
		{"no Deployfile", t.TempDir(), []string{"x"}, engine.ExitUsage,
			"luacap: no Deployfile.lua here or in a parent directory; write one or pass -f FILE\n"},
		{"bad flag", dir, []string{"--nope"}, engine.ExitUsage, "luacap: unknown flag: --nope; luacap --help lists the flags\n"},
		{"bad -s", dir, []string{"-s", "branch", "hello"}, engine.ExitUsage, "luacap: -s \"branch\": write it as -s name=value\n"},
		{"version", dir, []string{"--version"}, exitOK, ""},
		{"-f names no file", dir, []string{"-f", "nope.lua", "x"}, engine.ExitUsage, "luacap: nope.lua: no such file\n"},
		{"ssh_options of the wrong type", badOpts, []string{"hello"}, engine.ExitUsage,
			"luacap: Deployfile.lua:7: ssh_options.port must be a number from 1 to 65535, not \"abc\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(tt.dir)
			code, out, errOut := runCLI(t, hooks{}, tt.args...)
			if code != tt.code || errOut != tt.stderr {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d, stderr:\n%s\nstdout:\n%s", code, errOut, tt.code, tt.stderr, out)
			}
		})
	}
}

func TestHostsAndRolesFromTheEnvironment(t *testing.T) {
	dir := deployfile(t, `
server("web1", { transport = "local", roles = { "web" } })
server("db1", { transport = "local", roles = { "db" } })
task("who", function() run("true") end)
`)
	t.Chdir(dir)
	var out, errOut strings.Builder
	code := runWith([]string{"who"}, stdio{out: &out, err: &errOut}, map[string]string{"ROLES": "db", "LUACAP_FORMAT": "verbose"}, hooks{})
	if code != exitOK || strings.Contains(out.String(), "web1 $") || !strings.Contains(out.String(), "db1 $ true") {
		t.Errorf("ROLES=db ran on:\n%s%s", out.String(), errOut.String())
	}
}

func TestSignalInterruptsAndUndoes(t *testing.T) {
	dir := deployfile(t, slowTransaction)
	t.Chdir(dir) // commands run here
	sigs := make(chan os.Signal, 1)
	go func() {
		waitFor(t, filepath.Join(dir, "started"))
		sigs <- os.Interrupt
	}()
	code, _, errOut := runCLI(t, hooks{signals: sigs}, "slow")
	if code != engine.ExitInterrupted {
		t.Errorf("exit %d, want %d; stderr: %s", code, engine.ExitInterrupted, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "undone")); err != nil {
		t.Errorf("the undo did not run: %v", err)
	}
}
