package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/luacap/luacap/runtime/engine"
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
	} {
		src := readmeBlock(string(readme), heading)
		t.Run(heading, func(t *testing.T) {
			t.Chdir(deployfile(t, src))
			code, out, errOut := runCLI(t, hooks{}, "production", "--explain", "deploy")
			if code != exitOK || !strings.Contains(out, want) {
				t.Errorf("exit %d\n%s%s", code, out, errOut)
			}
		})
	}
}

// readmeBlock is the first Lua block after heading in the README.
func readmeBlock(readme, heading string) string {
	_, rest, _ := strings.Cut(readme, heading)
	_, block, _ := strings.Cut(rest, "```lua\n")
	src, _, _ := strings.Cut(block, "```")
	return src
}

// TestReadmeTwoPhaseDeploy dry-runs the README's two-phase Deployfile:
// prepare_release uploads the archive once, to the intermediary, and
// points current_tgz at it; the deploy has every release host pull
// current_tgz from the intermediary and unpack it into the release.
func TestReadmeTwoPhaseDeploy(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	const archive = "/var/www/shop/releases/20260102030405.tar.gz" // fixedNow names it
	t.Chdir(deployfile(t, readmeBlock(string(readme), "## Two-phase deploys")))
	code, out, errOut := runCLI(t, hooks{}, "production", "deploy:prepare_release", "--dry-run")
	for _, want := range []string{
		"  deploy-cache.internal upload /tmp/luacap-prepare/20260102030405.tar.gz -> " + archive + "\n",
		"  deploy-cache.internal $ ln -sfn " + archive + " /var/www/shop/current_tgz.luacap-new && mv -T /var/www/shop/current_tgz.luacap-new /var/www/shop/current_tgz || { rm -f /var/www/shop/current_tgz.luacap-new; false; }\n",
	} {
		if code != exitOK || !strings.Contains(out, want) || strings.Count(out, " upload ") != 1 {
			t.Errorf("prepare_release: exit %d, want the one upload to the intermediary and %q:\n%s%s", code, want, out, errOut)
		}
	}
	code, out, errOut = runCLI(t, hooks{}, "production", "deploy", "--dry-run")
	pull := " && ssh -o BatchMode=yes -p 22 -- deploy@deploy-cache.internal 'cat -- /var/www/shop/current_tgz'" +
		" | tar -xzf - -C /var/www/shop/releases/20260102030405_prepared\n"
	var pulled []string
	for _, line := range strings.SplitAfter(out, "\n") {
		if strings.HasSuffix(line, pull) {
			pulled = append(pulled, strings.Fields(line)[0])
		}
	}
	slices.Sort(pulled)
	want := []string{"db1.internal"} // every host but the intermediary (no_release)
	for i := 1; i <= 16; i++ {
		want = append(want, fmt.Sprintf("app%d.internal", i))
	}
	slices.Sort(want)
	if code != exitOK || !slices.Equal(pulled, want) {
		t.Errorf("deploy: exit %d; hosts that pulled current_tgz from the intermediary %v, want %v\n%s%s", code, pulled, want, out, errOut)
	}
	// With the intermediary outside --hosts, nothing can name the release.
	code, _, errOut = runCLI(t, hooks{}, "production", "deploy", "--dry-run", "--hosts", "app1.internal")
	if wantErr := "the intermediary deploy-cache.internal is not among this run's hosts"; code != engine.ExitFailed || !strings.Contains(errOut, wantErr) {
		t.Errorf("deploy --hosts app1.internal: exit %d, want %q:\n%s", code, wantErr, errOut)
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
