package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

var webAppDB = map[string]string{"h1": `"web"`, "h2": `"app"`, "h3": `"db"`}

func TestDeployLayoutAndCleanup(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 3, harness.Options{})
	d := newDeployEnv(t, c, appDeployfile(c, webAppDB, `set("keep_releases", 2)`))
	d.deploy("20260101000001")
	d.expectState("20260101000001", "20260101000001")
	for _, h := range c.Hosts {
		rel := shop + "/releases/20260101000001"
		if got := readString(t, h.Path(rel+"/public/index.html")); got != "<p>shop</p>\n" {
			t.Errorf("%s: index.html = %q", h.Name, got)
		}
		if got := readString(t, h.Path(rel+"/REVISION")); got != "directory app\n" {
			t.Errorf("%s: REVISION = %q", h.Name, got)
		}
		if target, err := os.Readlink(h.Path(rel + "/config/database.yml")); err != nil || target != shop+"/shared/config/database.yml" {
			t.Errorf("%s: config/database.yml links to %q (%v)", h.Name, target, err)
		}
		for _, dir := range []string{"log", "tmp/pids"} {
			if target, err := os.Readlink(h.Path(rel + "/" + dir)); err != nil || target != shop+"/shared/"+dir {
				t.Errorf("%s: %s links to %q (%v)", h.Name, dir, target, err)
			}
			if info, err := os.Stat(h.Path(shop + "/shared/" + dir)); err != nil || !info.IsDir() {
				t.Errorf("%s: shared/%s is not a directory", h.Name, dir)
			}
		}
	}
	d.deploy("20260101000002")
	d.deploy("20260101000003")
	d.expectState("20260101000003", "20260101000002", "20260101000003")
	for _, h := range c.Hosts {
		log := readString(t, h.Path(shop+"/revisions.log"))
		want := "Branch main (at directory app) deployed as release 20260101000003 by deployer\n"
		if strings.Count(log, "\n") != 3 || !strings.HasSuffix(log, want) {
			t.Errorf("%s: revisions.log =\n%s", h.Name, log)
		}
	}
}

func TestRollbackAfterTwoDeploys(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 3, harness.Options{})
	d := newDeployEnv(t, c, appDeployfile(c, webAppDB, ""))
	d.deploy("20260101000001")
	d.deploy("20260101000002")
	r := d.run("deploy:rollback", "-q")
	mustSucceed(t, r)
	d.expectState("20260101000001", "20260101000001")
	for _, h := range c.Hosts {
		if log := readString(t, h.Path(shop+"/revisions.log")); !strings.HasSuffix(log, "deployer rolled back to release 20260101000001\n") {
			t.Errorf("%s: revisions.log =\n%s", h.Name, log)
		}
	}
	r = d.run("deploy:rollback", "-q")
	if r.Code != 1 || !strings.Contains(r.Stderr, "no release before 20260101000001 went live on every host; nothing to roll back to") {
		t.Errorf("a rollback with nothing to go back to: exit %d\n%s", r.Code, r.Output())
	}
	d.expectState("20260101000001", "20260101000001")
}

// A rollback goes back to the newest release before current that went
// live on every host: one that never went live (no marker, not in
// revisions.log: a deploy cut short) is skipped, and one newer than
// current (a failed deploy's leftover) is not a target.
func TestRollbackSkipsReleasesThatNeverWentLive(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	d := newDeployEnv(t, c, appDeployfile(c, map[string]string{"h1": `"app"`, "h2": `"app"`}, ""))
	d.deploy("20260101000001")
	for _, h := range c.Hosts { // a release luacap made that never went live
		d.write(h.Path(shop+"/releases/20260101000002/REVISION"), "cut short\n")
		d.write(h.Path(shop+"/releases/20260101000002/.luacap-made"), "")
	}
	d.deploy("20260101000003")
	for _, h := range c.Hosts {
		d.write(h.Path(shop+"/releases/20260101000004/REVISION"), "leftover\n")
	}
	mustSucceed(t, d.run("deploy:rollback", "-q"))
	for _, h := range c.Hosts {
		if got := d.current(h); got != "20260101000001" {
			t.Errorf("%s: current = %s after rollback, want 20260101000001", h.Name, got)
		}
	}
}

// Cleanup keeps keep_releases releases that went live; one that never
// did is removed, and a directory that is not a release is left alone.
func TestCleanupRemovesReleasesThatNeverWentLive(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	d := newDeployEnv(t, c, appDeployfile(c, map[string]string{"h1": `"app"`, "h2": `"app"`}, `set("keep_releases", 2)`))
	d.deploy("20260101000001")
	for _, h := range c.Hosts {
		d.write(h.Path(shop+"/releases/20260101000002/REVISION"), "never went live\n")
		d.write(h.Path(shop+"/releases/20260101000002/.luacap-made"), "")
		d.write(h.Path(shop+"/releases/new/notes.txt"), "an admin's directory\n")
	}
	d.deploy("20260101000003")
	d.expectState("20260101000003", "20260101000001", "20260101000003", "new")
	d.deploy("20260101000004")
	d.expectState("20260101000004", "20260101000003", "20260101000004", "new")
}

func TestMigrationsAndHooks(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 3, harness.Options{})
	roles := map[string]string{"h1": `"web"`, "h2": `"app"`, "h3": `"db"`}
	hooks := `
set("migrate_command", "pwd > /var/www/migrated-in && echo $RAILS_ENV >> /var/www/migrated-in")
local function mark(name) return function() run_locally("echo " .. name .. " >> hooks.log") end end
before("deploy:update_code", mark("before update_code"))
after("deploy:update_code", mark("after update_code"))
before("deploy:symlink", mark("before symlink"))
after("deploy:create_symlink", mark("after symlink"))
before("deploy", mark("before deploy"))
after("deploy", mark("after deploy"))
`
	// a second db host, not primary, must not migrate
	c2 := appDeployfile(c, roles, hooks) + "\nserver(\"h1\", { roles = { \"db\" } })\nserver(\"h3\", { primary = true })\n"
	d := newDeployEnv(t, c, c2)
	r := d.run("deploy:migrations", "-s", "release_name=20260101000001", "-q")
	mustSucceed(t, r)
	if got := readString(t, c.Host("h3").Path("/var/www/migrated-in")); got != shop+"/releases/20260101000001\nproduction\n" {
		t.Errorf("migration ran in %q, want the new release with RAILS_ENV=production", got)
	}
	for _, h := range []string{"h1", "h2"} {
		if _, err := os.Stat(c.Host(h).Path("/var/www/migrated-in")); err == nil {
			t.Errorf("the migration ran on %s too", h)
		}
	}
	hooksLog := filepath.Join(d.dir, "hooks.log")
	want := "before update_code\nafter update_code\nbefore symlink\nafter symlink\n"
	if got := readString(t, hooksLog); got != want {
		t.Errorf("deploy:migrations hooks:\n%s\nwant:\n%s", got, want)
	}
	os.Remove(hooksLog)
	d.deploy("20260101000002")
	if got := readString(t, hooksLog); got != "before deploy\n"+want+"after deploy\n" {
		t.Errorf("deploy hooks:\n%s", got)
	}
}

func TestPassengerOverride(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 3, harness.Options{})
	override := `
desc("Restarts Passenger")
task("deploy:restart", { roles = "app" }, function()
  run("mkdir -p " .. current_path() .. "/tmp && touch " .. current_path() .. "/tmp/restart.txt")
end)`
	d := newDeployEnv(t, c, appDeployfile(c, webAppDB, override))
	d.deploy("20260101000001")
	for _, h := range c.Hosts {
		_, err := os.Stat(h.Path(shop + "/releases/20260101000001/tmp/restart.txt"))
		if isApp := h.Name == "h2"; isApp != (err == nil) {
			t.Errorf("%s: restart.txt exists = %v, want %v (app hosts only)", h.Name, err == nil, isApp)
		}
	}
	r := d.run("--show", "deploy:restart")
	if !strings.Contains(r.Stdout, "-- deploy:restart, from Deployfile.lua:") || !strings.Contains(r.Stdout, "tmp/restart.txt") {
		t.Errorf("--show does not show the override:\n%s", r.Stdout)
	}
}

func TestCheckReportsMissingLinkedFilesBeforeAnyRelease(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 3, harness.Options{})
	d := newDeployEnv(t, c, appDeployfile(c, webAppDB, ""))
	if err := os.Remove(c.Host("h2").Path(shop + "/shared/config/database.yml")); err != nil {
		t.Fatal(err)
	}
	r := d.run("deploy", "-s", "release_name=20260101000001")
	for _, want := range []string{
		"task deploy:check failed: failed on 1 of 3 hosts:",
		"h2: command failed with exit status 1: problems=$( ... (and ",
		"deploy:check found problems:\n      linked file " + shop + "/shared/config/database.yml is missing; upload it: scp -P ",
	} {
		if r.Code != 1 || !strings.Contains(r.Stderr, want) {
			t.Errorf("exit %d; stderr lacks %q:\n%s", r.Code, want, r.Stderr)
		}
	}
	for _, h := range c.Hosts {
		if entries, _ := os.ReadDir(h.Path(shop + "/releases")); len(entries) != 0 {
			t.Errorf("%s: deploy:check let the deploy make a release: %v", h.Name, entries)
		}
	}
}
