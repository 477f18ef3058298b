package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/luacap/luacap/runtime/engine"
)

// Each shell's script knows the flags and asks luacap for the tasks;
// bash's (and zsh's, where installed) parses; an unknown shell is a
// usage error.
func TestCompletionScripts(t *testing.T) {
	for _, shell := range completionShells {
		t.Run(shell, func(t *testing.T) {
			code, out, errOut := runCLI(t, hooks{}, "completion", shell)
			if code != exitOK || !strings.Contains(out, "--complete") || !strings.Contains(out, "dry-run") {
				t.Fatalf("exit %d\n%s%s", code, out, errOut)
			}
			if path, err := exec.LookPath(shell); err == nil && shell != "fish" {
				check := exec.Command(path, "-n")
				check.Stdin = strings.NewReader(out)
				if msg, err := check.CombinedOutput(); err != nil {
					t.Errorf("%s -n: %v\n%s", shell, err, msg)
				}
			}
		})
	}
	for _, args := range [][]string{{"completion"}, {"completion", "tcsh"}, {"completion", "bash", "zsh"}} {
		if code, _, errOut := runCLI(t, hooks{}, args...); code != engine.ExitUsage || !strings.Contains(errOut, "bash, zsh or fish") {
			t.Errorf("%v: exit %d, %s", args, code, errOut)
		}
	}
}

// --complete lists the stages and every task with its description, and
// nothing at all for a Deployfile that does not load.
func TestCompleteListsStagesAndTasks(t *testing.T) {
	code, out, _ := runCLI(t, hooks{}, "-f", demo, "--complete")
	for _, want := range []string{"local\tstage\n", "deploy:rollback\tPoints current at", "demo:config\t"} {
		if code != exitOK || !strings.Contains(out, want) {
			t.Errorf("exit %d, lacks %q:\n%s", code, want, out)
		}
	}
	broken := deployfile(t, "task(")
	if code, out, errOut := runCLI(t, hooks{}, "-f", broken+"/Deployfile.lua", "--complete"); code != exitOK || out+errOut != "" {
		t.Errorf("a broken Deployfile: exit %d, %q %q", code, out, errOut)
	}
}

// Colours: --color wins; auto paints a terminal unless NO_COLOR is set.
func TestColorChoice(t *testing.T) {
	tests := []struct {
		when    string
		tty     bool
		noColor string
		want    bool
	}{
		{"auto", true, "", true},
		{"auto", true, "1", false},
		{"auto", false, "", false},
		{"always", false, "1", true},
		{"never", true, "", false},
	}
	for _, tt := range tests {
		env := func(k string) string { return map[string]string{"NO_COLOR": tt.noColor}[k] }
		if got := colorOn(tt.when, tt.tty, env); got != tt.want {
			t.Errorf("--color=%s tty=%v NO_COLOR=%q: %v, want %v", tt.when, tt.tty, tt.noColor, got, tt.want)
		}
	}
}

// The format: --format, then -v, then $LUACAP_FORMAT, then pretty; a
// format or colour luacap does not know is a usage error.
func TestFormatChoice(t *testing.T) {
	tests := []struct {
		args []string
		env  string
		want string // "" for a usage error
	}{
		{nil, "", "pretty"},
		{[]string{"-v"}, "", "verbose"},
		{nil, "json", "json"},
		{[]string{"--format", "verbose"}, "json", "verbose"},
		{[]string{"--format", "xml"}, "", ""},
		{nil, "xml", ""},
		{[]string{"--color", "sometimes"}, "", ""},
	}
	for _, tt := range tests {
		env := func(k string) string { return map[string]string{"LUACAP_FORMAT": tt.env}[k] }
		c, _, err := parseFlags(tt.args, env)
		got := ""
		if err == nil {
			got = string(outputOptions(c, &strings.Builder{}, env).Format)
		}
		if got != tt.want {
			t.Errorf("%v with $LUACAP_FORMAT=%q: %q (%v), want %q", tt.args, tt.env, got, err, tt.want)
		}
	}
}
