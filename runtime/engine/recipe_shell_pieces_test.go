package engine

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The shell pieces of lib/releases.lua that replace a program (head,
// cat, basename, a mkdir or rm with nothing to do) by the shell's own
// builtins. Each runs under sh in the app's dir (a space and a quote in
// its name); where a case says "no program", it runs with an empty PATH,
// so that any program it started would fail it.

// runShNoPrograms runs script with sh and a PATH where no program is found.
func runShNoPrograms(t *testing.T, script string) shResult {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := exec.Command("/bin/sh", "-c", script)
	cmd.Env = []string{"PATH=" + t.TempDir()}
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	res := shResult{stdout: out.String(), stderr: errOut.String()}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		res.exit = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("running sh: %v", err)
	}
	return res
}

// TestHoldsRecord: the lock guard's test holds for exactly the one line
// this run wrote, in a file that is not a link, and runs no program.
func TestHoldsRecord(t *testing.T) {
	tests := []struct {
		name  string
		lock  string // the file's content; "->" a link to a file holding ourLock; "/" a directory; "" none
		holds bool
	}{
		{"this run's record", ourLock + "\n", true},
		{"another run's", "someone@else (pid 2)\n", false},
		{"this run's record and more", ourLock + "\nsomeone@else\n", false},
		{"this run's record with more on its line", ourLock + " x\n", false},
		{"an empty file", "\n", false},
		{"no lock", "", false},
		{"a link to this run's record", "->", false},
		{"a directory (an old luacap's lock)", "/", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, deployTo := scriptDir(t)
			lock := filepath.Join(deployTo, ".luacap.lock")
			writeLock(t, lock, tt.lock)
			test := r.generate(t, fmt.Sprintf(`require("luacap.recipes.releases").holds_record(%q, %q)`, lock, ourLock))
			res := runShNoPrograms(t, "if "+test+"; then echo holds; else echo not; fi")
			if want := map[bool]string{true: "holds\n", false: "not\n"}[tt.holds]; res.stdout != want || res.stderr != "" {
				t.Errorf("printed %q (stderr %q), want %q", res.stdout, res.stderr, want)
			}
		})
	}
}

// TestReadLine reads a file's first line with no program; a file that is
// not there reads as empty.
func TestReadLine(t *testing.T) {
	tests := []struct{ name, content, want string }{
		{"a line", "abc123\n", "abc123"},
		{"no newline", "abc123", "abc123"},
		{"spaces and a backslash kept", "  a\\b c  \n", "  a\\b c  "},
		{"the first of two lines", "one\ntwo\n", "one"},
		{"no file", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, deployTo := scriptDir(t)
			file := filepath.Join(deployTo, "REVISION")
			if tt.content != "" {
				mustDo(t, os.WriteFile(file, []byte(tt.content), 0o644))
			}
			script := r.generate(t, fmt.Sprintf(`require("luacap.recipes.releases").read_line("v", %q)`, file))
			res := runShNoPrograms(t, "v=stale; "+script+`; printf '[%s]' "$v"`)
			if want := "[" + tt.want + "]"; res.exit != 0 || res.stdout != want || res.stderr != "" {
				t.Errorf("exit %d, printed %q (stderr %q), want %q", res.exit, res.stdout, res.stderr, want)
			}
		})
	}
}

// TestLinkName is basename "$(readlink LINK)" without basename.
func TestLinkName(t *testing.T) {
	tests := []struct{ name, target, want string }{
		{"an absolute link", "/srv/app/releases/20260101000001", "20260101000001"},
		{"a relative link", "releases/it's new", "it's new"},
		{"a trailing slash", "/srv/app/releases/r1/", "r1"},
		{"two trailing slashes", "/srv/app/releases/r1//", "r1"},
		{"a relative link and three", "releases/r1///", "r1"},
		{"a name with glob characters and two", "releases/r[1]*//", "r[1]*"},
		{"a bare name", "r1", "r1"},
		{"no link", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, deployTo := scriptDir(t)
			link := filepath.Join(deployTo, "current")
			if tt.target != "" {
				mustDo(t, os.Symlink(tt.target, link))
			}
			script := r.generate(t, fmt.Sprintf(`require("luacap.recipes.releases").link_name("c", %q)`, link))
			res := runSh(t, "c=stale; "+script+`; printf '[%s]' "$c"`)
			if want := "[" + tt.want + "]"; res.exit != 0 || res.stdout != want {
				t.Errorf("exit %d, printed %q (stderr %q), want %q", res.exit, res.stdout, res.stderr, want)
			}
		})
	}
}

// TestMkdirP makes the directories that are missing, and runs no program
// when every one is there.
func TestMkdirP(t *testing.T) {
	tests := []struct {
		name     string
		there    []string // made before
		programs bool     // whether it may run one
	}{
		{"all there", []string{"a", "b/c"}, false},
		{"one missing", []string{"a"}, true},
		{"none there", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, deployTo := scriptHost(t)
			for _, d := range tt.there {
				mustDo(t, os.MkdirAll(filepath.Join(deployTo, d), 0o755))
			}
			a, bc := filepath.Join(deployTo, "a"), filepath.Join(deployTo, "b/c")
			script := r.generate(t, fmt.Sprintf(`require("luacap.recipes.releases").mkdir_p({ %q, %q })`, a, bc))
			run := runShNoPrograms
			if tt.programs {
				run = runSh
			}
			res := run(t, script+" && echo made")
			if res.exit != 0 || res.stdout != "made\n" || !isDir(a) || !isDir(bc) {
				t.Errorf("exit %d, printed %q (stderr %q); want both directories made", res.exit, res.stdout, res.stderr)
			}
		})
	}
}

// TestRemovePresent removes those of the paths that are there, a
// dangling link too, and runs no program when none is.
func TestRemovePresent(t *testing.T) {
	tests := []struct {
		name  string
		there map[string]string // name -> "dir", "file" or "link" (dangling)
	}{
		{"none there", nil},
		{"a directory", map[string]string{"new": "dir"}},
		{"a dangling link", map[string]string{"old": "link"}},
		{"both", map[string]string{"new": "file", "old": "dir"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, deployTo := scriptDir(t)
			for name, kind := range tt.there {
				p := filepath.Join(deployTo, name)
				switch kind {
				case "dir":
					mustDo(t, os.MkdirAll(filepath.Join(p, "inside"), 0o755))
				case "file":
					mustDo(t, os.WriteFile(p, []byte("x\n"), 0o644))
				default:
					mustDo(t, os.Symlink(filepath.Join(deployTo, "nowhere"), p))
				}
			}
			paths := []string{filepath.Join(deployTo, "new"), filepath.Join(deployTo, "old")}
			script := r.generate(t, fmt.Sprintf(`require("luacap.recipes.releases").remove_present("-rf", { %q, %q })`, paths[0], paths[1]))
			run := runSh
			if len(tt.there) == 0 {
				run = runShNoPrograms
			}
			res := run(t, script+" && echo done")
			if res.exit != 0 || res.stdout != "done\n" || exists(paths[0]) || exists(paths[1]) {
				t.Errorf("exit %d, printed %q (stderr %q); want both gone", res.exit, res.stdout, res.stderr)
			}
		})
	}
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
