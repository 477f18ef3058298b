package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReadmeDeployfileLoads keeps the README's example Deployfile honest:
// it must load with the bundled recipes and explain the deploy.
func TestReadmeDeployfileLoads(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(readme), "## A Deployfile")
	_, block, _ := strings.Cut(rest, "```lua\n")
	src, _, _ := strings.Cut(block, "```")
	dir := deployfile(t, src)
	t.Chdir(dir)
	code, out, errOut := runCLI(t, hooks{}, "production", "--explain", "deploy")
	if code != exitOK || !strings.Contains(out, "[after] function at Deployfile.lua:") {
		t.Errorf("exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, hooks{}, "production", "deploy", "--dry-run", "--hosts", "web1.example.com")
	if code != exitOK || !strings.Contains(out, "web1.example.com $ touch /var/www/shop/current/tmp/restart.txt") {
		t.Errorf("dry run: exit %d\n%s%s", code, out, errOut)
	}
}

// TestReadmeExamplesExplain loads the README's other example Deployfiles.
func TestReadmeExamplesExplain(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for heading, want := range map[string]string{
		"## Assets built once": "[after] deploy:assets:precompile",
		"## Two-phase deploys": "deploy:update  [transaction]",
	} {
		_, rest, _ := strings.Cut(string(readme), heading)
		_, block, _ := strings.Cut(rest, "```lua\n")
		src, _, _ := strings.Cut(block, "```")
		t.Run(heading, func(t *testing.T) {
			t.Chdir(deployfile(t, src))
			code, out, errOut := runCLI(t, hooks{}, "production", "--explain", "deploy")
			if code != exitOK || !strings.Contains(out, want) {
				t.Errorf("exit %d\n%s%s", code, out, errOut)
			}
		})
	}
}

// TestDemoDeploysForReal runs the README's first command: deploy, deploy
// again, roll back, on this machine.
func TestDemoDeploysForReal(t *testing.T) {
	target := t.TempDir()
	t.Setenv("LUACAP_DEMO_DIR", target)
	for i, args := range [][]string{{"deploy"}, {"deploy"}, {"deploy:rollback"}} {
		now := fixedNow.Add(time.Duration(i) * time.Second)
		code, out, errOut := runCLI(t, hooks{now: func() time.Time { return now }}, append([]string{"-f", demo, "local", "-q"}, args...)...)
		if code != exitOK {
			t.Fatalf("%v: exit %d\n%s%s", args, code, out, errOut)
		}
	}
	current, err := os.Readlink(filepath.Join(target, "current"))
	if err != nil || filepath.Base(current) != "20260102030405" {
		t.Errorf("current = %q (%v), want the first release after the rollback", current, err)
	}
	if _, err := os.Stat(filepath.Join(current, "tmp/restart.txt")); err != nil {
		t.Errorf("Passenger restart did not touch tmp/restart.txt: %v", err)
	}
	log, _ := os.ReadFile(filepath.Join(target, "revisions.log"))
	if strings.Count(string(log), "\n") != 3 || !strings.HasSuffix(string(log), "rolled back to release 20260102030405\n") {
		t.Errorf("revisions.log:\n%s", log)
	}
}
