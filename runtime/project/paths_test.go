package project

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// real(p) names the directory git -C p reaches: the kernel resolves a
// link before the .. after it, so `cd` and `pwd -P` are the oracle.
func TestRealIsTheDirectoryACommandReaches(t *testing.T) {
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"repo", "deep/inner/repo", "deep/repo"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{"link": "deep/inner", "link2": "link", "repo-link": "repo"}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(wd, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"repo-link", "link/../repo", "link2/../repo", "link/repo", "link2/./repo/", "deep/inner/../repo"} {
		for _, path := range []string{dir + "/" + p, rel + "/" + p} { // not filepath.Join: it would take link/.. away
			out, err := exec.Command("sh", "-c", `cd -P "$1" && pwd -P`, "sh", path).Output()
			if err != nil {
				t.Fatalf("cd %s: %v", path, err)
			}
			want := strings.TrimSuffix(string(out), "\n")
			if got, err := realPath(path); got != want || err != nil {
				t.Errorf("real(%q) = %q, %v; want %q", path, got, err, want)
			}
		}
	}
	// A path that is not there (a loop, a dangling link, nothing) is
	// made absolute: git then says what it found there.
	for _, name := range []string{"loop", "dangling"} {
		if err := os.Symlink(map[string]string{"loop": "loop", "dangling": "nowhere"}[name], filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{"loop", "dangling", "missing", "missing/../x"} {
		if got, err := realPath(rel + "/" + p); got != filepath.Join(dir, p) || err != nil {
			t.Errorf("real(%q) = %q, %v; want %q", rel+"/"+p, got, err, filepath.Join(dir, p))
		}
	}
}
