package engine

import (
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/luacap/luacap/runtime/luameta"
)

// metaDir is where the committed ---@meta files live, from this package.
const metaDir = "../luameta/meta"

var update = flag.Bool("update", false, "rewrite meta/ and the README's table of verbs from verbs.go")

// TestMetaIsGenerated: the ---@meta files embedded in the binary are what
// the table generates, file for file; -update rewrites them.
func TestMetaIsGenerated(t *testing.T) {
	want, err := GenerateMeta()
	if err != nil {
		t.Fatal(err)
	}
	if *update { // the embedded files are the old ones until the next build
		writeMeta(t, want)
		return
	}
	var have []string
	fs.WalkDir(luameta.Files(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			have = append(have, p)
		}
		return err
	})
	for _, p := range have {
		got, _ := fs.ReadFile(luameta.Files(), p)
		if w, ok := want[p]; !ok {
			t.Errorf("meta/%s is not generated from verbs.go: remove it", p)
		} else if string(got) != w {
			t.Errorf("meta/%s differs from what verbs.go generates (go test ./runtime/engine -update rewrites it)\ngot:\n%s\nwant:\n%s", p, got, w)
		}
	}
	for p := range want {
		if _, err := fs.Stat(luameta.Files(), p); err != nil {
			t.Errorf("meta/%s is missing (go test ./runtime/engine -update writes it)", p)
		}
	}
}

func writeMeta(t *testing.T, files map[string]string) {
	t.Helper()
	if err := os.RemoveAll(metaDir); err != nil {
		t.Fatal(err)
	}
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		path := filepath.Join(metaDir, p)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(files[p]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
