package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLockScript runs the script that takes the deploy lock
// (deploy_lock.try_script) against every kind of lock a host can have.
func TestLockScript(t *testing.T) {
	const other = "someone@else (pid 2) since noon, running deploy for release r9"
	tests := []struct {
		name   string
		place  func(t *testing.T, lock string) // makes the lock there is; nil for none
		prints string                          // the first line printed
		taken  bool
	}{
		{"free", nil, "locked", true},
		{"held by another run", func(t *testing.T, lock string) {
			mustDo(t, os.WriteFile(lock, []byte(other+"\nsecond line\n"), 0o644))
		}, "held " + other, false},
		{"held with no record", func(t *testing.T, lock string) {
			mustDo(t, os.WriteFile(lock, nil, 0o644))
		}, "held ", false},
		{"a symbolic link, never followed", func(t *testing.T, lock string) {
			mustDo(t, os.WriteFile(lock+".target", []byte("not shown\n"), 0o644))
			mustDo(t, os.Symlink(lock+".target", lock))
		}, "held someone (the lock is a symbolic link)", false},
		{"a dangling symbolic link", func(t *testing.T, lock string) {
			mustDo(t, os.Symlink(lock+".gone", lock))
		}, "held someone (the lock is a symbolic link)", false},
		{"an old luacap's lock directory", func(t *testing.T, lock string) {
			mustDo(t, os.MkdirAll(lock, 0o755))
			mustDo(t, os.WriteFile(filepath.Join(lock, "info"), []byte(other+"\n"), 0o644))
		}, "held " + other, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, deployTo := scriptHost(t)
			lock := filepath.Join(deployTo, ".luacap.lock")
			if tt.place != nil {
				mustDo(t, os.MkdirAll(deployTo, 0o755))
				tt.place(t, lock)
			}
			before, _ := os.ReadFile(lock)
			res := runSh(t, r.generate(t, fmt.Sprintf(`require("luacap.recipes.deploy_lock").try_script(%q)`, ourLock)))
			first, rest, _ := strings.Cut(res.stdout, "\n")
			if res.exit != 0 || first != tt.prints {
				t.Fatalf("exit %d, printed %q (stderr %q), want 0 and first %q", res.exit, res.stdout, res.stderr, tt.prints)
			}
			after, _ := os.ReadFile(lock)
			switch {
			case tt.taken && (string(after) != ourLock+"\n" || !strings.HasPrefix(rest, "current \ntarget \n")):
				t.Errorf("lock holds %q, then printed %q: want the record and the host's state", after, rest)
			case !tt.taken && string(after) != string(before):
				t.Errorf("the lock changed: %q, was %q", after, before)
			}
			if left, _ := filepath.Glob(lock + ".[0-9]*"); len(left) > 0 {
				t.Errorf("records left beside the lock: %v", left)
			}
		})
	}
}

// TestLockReleaseScript runs the script that gives the lock back when the
// run ends (deploy_lock.release_script): only this run's lock goes.
func TestLockReleaseScript(t *testing.T) {
	tests := []struct {
		name    string
		content string // the lock's record; "->" a link to this run's record
		removed bool
	}{
		{"this run's", ourLock + "\n", true},
		{"another run's", "someone@else (pid 2)\n", false},
		{"this run's record with more after it", ourLock + "\nmore\n", false},
		{"a symbolic link to this run's record", "->", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, deployTo := scriptDir(t)
			lock := filepath.Join(deployTo, ".luacap.lock")
			writeLock(t, lock, tt.content)
			res := runSh(t, r.generate(t, fmt.Sprintf(`require("luacap.recipes.deploy_lock").release_script(%q)`, ourLock)))
			if res.exit != 0 || exists(lock) == tt.removed {
				t.Errorf("exit %d (stderr %q), lock there: %v; want 0 and removed %v", res.exit, res.stderr, exists(lock), tt.removed)
			}
		})
	}
}

// TestLockRecordReadBack takes the lock with a record made of what a
// user name can hold (deploy_lock.one_line), and checks that the run
// reads it back as its own: the guard holds and the release removes the
// lock. A record of two lines was written as two and never read back.
func TestLockRecordReadBack(t *testing.T) {
	for _, raw := range []string{ourLock, "deploy\ner@box", "cr\r\nlf", "tab\there", `back\slash\n`, "-e", "  blanks  "} {
		t.Run(raw, func(t *testing.T) {
			r, deployTo := scriptHost(t)
			lock := filepath.Join(deployTo, ".luacap.lock")
			// one generate per run (a task runs once): the three scripts, apart
			scripts := strings.Split(r.generate(t, fmt.Sprintf(`(function() local l, rel = require("luacap.recipes.deploy_lock"), `+
				`require("luacap.recipes.releases"); local rec = l.one_line(%q); return l.try_script(rec) .. "\0" .. `+
				`rel.holds_record(%q, rec) .. "\0" .. l.release_script(rec) end)()`, raw, lock)), "\x00")
			if len(scripts) != 3 {
				t.Fatalf("generated %d scripts, want 3", len(scripts))
			}
			take := runSh(t, scripts[0])
			if !strings.HasPrefix(take.stdout, "locked\n") {
				t.Fatalf("taking the lock printed %q (stderr %q), want locked", take.stdout, take.stderr)
			}
			if b, _ := os.ReadFile(lock); strings.Count(string(b), "\n") != 1 {
				t.Errorf("the lock holds %q, want one line", b)
			}
			holds := runSh(t, scripts[1])
			if holds.exit != 0 {
				t.Errorf("the guard's test failed on this run's own lock (stderr %q)", holds.stderr)
			}
			res := runSh(t, scripts[2])
			if res.exit != 0 || exists(lock) {
				t.Errorf("release: exit %d (stderr %q), lock there: %v; want it removed", res.exit, res.stderr, exists(lock))
			}
		})
	}
}

// writeLock puts at lock what a test describes: "" nothing, "->" a link
// to a file holding this run's record, "/" a directory (an old luacap's
// lock), anything else the file's content.
func writeLock(t *testing.T, lock, content string) {
	t.Helper()
	switch content {
	case "":
	case "->":
		mustDo(t, os.WriteFile(lock+".ours", []byte(ourLock+"\n"), 0o644))
		mustDo(t, os.Symlink(lock+".ours", lock))
	case "/":
		mustDo(t, os.MkdirAll(lock, 0o755))
	default:
		mustDo(t, os.WriteFile(lock, []byte(content), 0o644))
	}
}
