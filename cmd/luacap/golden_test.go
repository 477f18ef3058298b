package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fixedNow names the release in every golden transcript.
var fixedNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// runCLI runs luacap in-process with a fixed clock and returns its exit
// code, stdout and stderr.
func runCLI(t *testing.T, h hooks, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut strings.Builder
	if h.now == nil {
		h.now = func() time.Time { return fixedNow }
	}
	h.noDefaultLog = true // no log/luacap.log beside the repository's example Deployfiles
	// The verbose rendering: these tests read commands and their output.
	code := runWith(args, stdio{out: &out, err: &errOut}, map[string]string{"LUACAP_FORMAT": "verbose"}, h)
	return code, out.String(), errOut.String()
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/luacap -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test ./cmd/luacap -update rewrites it)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

const demo = "../../examples/demo/Deployfile.lua"

func TestDemoGoldens(t *testing.T) {
	t.Setenv("LUACAP_DEMO_DIR", "/srv/luacap-demo")
	t.Setenv("USER", "deployer") // named in the lock and revisions.log
	tests := []struct {
		golden string
		args   []string
	}{
		{"demo-tasks.txt", []string{"-f", demo, "-T"}},
		{"demo-tasks-all.txt", []string{"-f", demo, "-T", "-A"}},
		{"demo-explain-deploy.txt", []string{"-f", demo, "--explain", "deploy"}},
		{"demo-explain-migrations.txt", []string{"-f", demo, "--explain", "deploy:migrations"}},
		{"demo-show-restart.txt", []string{"-f", demo, "--show", "deploy:restart"}},
		{"demo-dry-run-rollback.txt", []string{"-f", demo, "local", "deploy:rollback", "--dry-run"}},
		{"demo-dry-run-deploy.txt", []string{"-f", demo, "local", "deploy", "--dry-run"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			code, out, errOut := runCLI(t, hooks{}, tt.args...)
			if code != exitOK {
				t.Fatalf("exit %d\n%s%s", code, out, errOut)
			}
			golden(t, tt.golden, out)
		})
	}
}
