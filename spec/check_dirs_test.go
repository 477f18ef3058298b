package spec

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// checkLayout has linked files at the top of shared/
// and in directories of their own, and linked dirs at two depths.
const checkLayout = `
set("linked_files", { "config/database.yml", "config/credentials/production.key", ".env" })
set("linked_dirs", { "log", "tmp/pids", "public/system" })
`

var checkFiles = []string{"config/database.yml", "config/credentials/production.key", ".env"}

// freshHosts removes deploy_to from every host: servers never deployed to.
func freshHosts(t *testing.T, c *harness.Cluster) {
	t.Helper()
	for _, h := range c.Hosts {
		if err := os.RemoveAll(h.Path(shop)); err != nil {
			t.Fatal(err)
		}
	}
}

// On a fresh server, Capistrano's deploy:check makes releases/, shared/,
// the linked dirs and the linked files' directories, then fails naming
// the linked files to upload. After the upload, the deploy passes.
func TestCheckMakesTheLayoutAndNamesTheFilesToUpload(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	d := newDeployEnv(t, c, appDeployfile(c, twoApp, checkLayout))
	freshHosts(t, c)
	r := d.run("deploy:check")
	if r.Code != 1 || !strings.Contains(r.Stderr, "h1: command failed") || !strings.Contains(r.Stderr, "h2: command failed") {
		t.Fatalf("deploy:check on fresh hosts: exit %d, want 1 failing on both:\n%s", r.Code, r.Output())
	}
	for _, h := range c.Hosts {
		for _, dir := range []string{"releases", "shared", "shared/log", "shared/tmp/pids", "shared/public/system",
			"shared/config", "shared/config/credentials"} {
			if info, err := os.Stat(h.Path(shop + "/" + dir)); err != nil || !info.IsDir() {
				t.Errorf("%s: deploy:check did not make %s: %v", h.Name, dir, err)
			}
		}
		if entries, _ := os.ReadDir(h.Path(shop + "/releases")); len(entries) != 0 {
			t.Errorf("%s: a failed deploy:check left releases: %v", h.Name, entries)
		}
		for _, f := range checkFiles {
			remote := shop + "/shared/" + f
			want := fmt.Sprintf("linked file %s is missing; upload it: scp -P %d %s root@127.0.0.1:%s", remote, h.Port, f, remote)
			if !strings.Contains(r.Stderr, want) {
				t.Errorf("%s: the error lacks %q:\n%s", h.Name, want, r.Stderr)
			}
		}
	}
	for _, h := range c.Hosts {
		for _, f := range checkFiles {
			d.write(h.Path(shop+"/shared/"+f), "uploaded to "+h.Name+"\n")
		}
	}
	mustSucceed(t, d.run("deploy:check"))
	d.deploy("20260101000001")
	d.expectState("20260101000001", "20260101000001")
	for _, h := range c.Hosts {
		for _, f := range checkFiles {
			link, err := os.Readlink(h.Path(shop + "/releases/20260101000001/" + f))
			if want := shop + "/shared/" + f; err != nil || link != want {
				t.Errorf("%s: the release's %s -> %q (%v), want the uploaded %s", h.Name, f, link, err, want)
			}
		}
	}
}

// What stands where a directory must go is reported, never replaced: a
// file where releases/, a linked dir or a linked file's directory goes,
// a directory where a linked file goes; on every host.
func TestCheckReportsWhatStandsInTheWayOfTheLayout(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	d := newDeployEnv(t, c, appDeployfile(c, twoApp, checkLayout))
	h1, h2 := c.Host("h1"), c.Host("h2")
	for _, h := range c.Hosts {
		for _, f := range checkFiles {
			d.write(h.Path(shop+"/shared/"+f), "ok\n")
		}
	}
	os.RemoveAll(h1.Path(shop + "/releases"))
	d.write(h1.Path(shop+"/releases"), "a file\n")
	os.RemoveAll(h1.Path(shop + "/shared/tmp"))
	d.write(h1.Path(shop+"/shared/tmp/pids"), "a file\n")
	os.RemoveAll(h2.Path(shop + "/shared/config/credentials"))
	d.write(h2.Path(shop+"/shared/config/credentials"), "a file\n")
	os.Remove(h2.Path(shop + "/shared/.env"))
	if err := os.Mkdir(h2.Path(shop+"/shared/.env"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := d.run("deploy:check")
	for _, want := range []string{
		"releases dir " + shop + "/releases exists but is not a directory",
		"linked dir " + shop + "/shared/tmp/pids exists but is not a directory",
		"the directory of linked file " + shop + "/shared/config/credentials exists but is not a directory",
		"linked file " + shop + "/shared/.env is not a regular file",
	} {
		if r.Code != 1 || !strings.Contains(r.Stderr, want) {
			t.Errorf("exit %d; stderr lacks %q:\n%s", r.Code, want, r.Stderr)
		}
	}
	if got := readString(t, h1.Path(shop+"/shared/tmp/pids")); got != "a file\n" {
		t.Errorf("h1: shared/tmp/pids was replaced: %q", got)
	}
}

// A dry run prints the directories deploy:check would make, and makes none.
func TestCheckDryRunPrintsTheDirectories(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	d := newDeployEnv(t, c, appDeployfile(c, map[string]string{"h1": `"app"`}, checkLayout))
	freshHosts(t, c)
	r := d.run("deploy:check", "--dry-run")
	mustSucceed(t, r)
	for _, want := range []string{"mkdir -p -- " + shop + "/releases", "mkdir -p -- " + shop + "/shared ", "mkdir -p -- " + shop + "/shared/tmp/pids",
		"mkdir -p -- " + shop + "/shared/config/credentials"} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("the dry run does not print %q:\n%s", want, r.Stdout)
		}
	}
	if _, err := os.Stat(c.Host("h1").Path(shop)); err == nil {
		t.Errorf("the dry run made %s", shop)
	}
}
