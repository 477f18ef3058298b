package spec

import (
	"os"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// Attacks on finalize_update's linking and the lock and current reads
// that run in the shell of every host, without a program of their own.

// A linked path that cleans to nothing ("./", "/", "") names the release
// itself: the removal that makes way for the link removed the whole new
// release, the link went inside the empty directory made again, and
// current was switched to a release without code. Such a path, and one
// that ends in "." or "..", is refused before anything is removed: the
// deploy fails, the host stays on its release with its code.
func TestAttackLinkedPathNamingTheReleaseItselfIsRefused(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	h := c.Hosts[0]
	d := newDeployEnv(t, c, appDeployfile(c, map[string]string{"h1": `"web"`}, `
local extra = os.getenv("LINKED") or ""
if os.getenv("AS_FILE") then
  set("linked_files", { "config/database.yml", extra })
else
  set("linked_dirs", { "log", extra })
end
`))
	d.env = []string{"LINKED=log"}
	d.deploy("20260101000001")
	live := h.Path(shop + "/releases/20260101000001/public/index.html")
	cases := []struct{ path, kind string }{
		{"./", "dir"}, {"/", "dir"}, {"", "dir"}, {"//", "file"}, {"./", "file"}, {".", "dir"}, {"config/..", "dir"},
	}
	for _, tc := range cases {
		d.env = []string{"LINKED=" + tc.path}
		if tc.kind == "file" {
			d.env = append(d.env, "AS_FILE=1")
		}
		r := d.run("deploy", "-s", "release_name=20260101000002")
		if r.Code == 0 {
			t.Errorf("linked %s %q: the deploy exited 0, want a refusal:\n%s", tc.kind, tc.path, r.Output())
		}
		if got := d.current(h); got != "20260101000001" {
			t.Errorf("linked %s %q: current = %q, want the release it was on", tc.kind, tc.path, got)
		}
		if _, err := os.Stat(live); err != nil {
			t.Errorf("linked %s %q: the live release lost its code: %v", tc.kind, tc.path, err)
		}
		if got := d.releases(h); strings.Join(got, ",") != "20260101000001" {
			t.Errorf("linked %s %q: releases = %v, want only the live one", tc.kind, tc.path, got)
		}
		if t.Failed() {
			return
		}
	}
}

// The lock's record names the user ($USER) and the tasks; the lock guard
// and the release read it back with the shell's read, a line at a time.
// A record the run cannot read back as it wrote it made the run refuse
// its own switch ("no longer this run's") and leave its lock behind. Every
// user name a shell reads in its own way (a new line, a backslash, an
// option, blanks around it, one longer than a pipe's buffer) deploys and
// leaves no lock.
func TestAttackLockRecordOfAnyUserNameIsReadBack(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	h := c.Hosts[0]
	d := newDeployEnv(t, c, appDeployfile(c, map[string]string{"h1": `"web"`}, ""))
	users := []string{"deploy\ner", `back\slash\n`, "-e", "-n", "  blanks around  ", strings.Repeat("long", 1100)}
	for i, user := range users {
		release := "2026010100000" + string(rune('1'+i))
		d.env = []string{"USER=" + user}
		r := d.run("deploy", "-s", "release_name="+release)
		if r.Code != 0 {
			t.Errorf("USER=%.20q: the deploy exited %d:\n%s", user, r.Code, r.Output())
		}
		if got := d.current(h); got != release {
			t.Errorf("USER=%.20q: current = %q, want %q", user, got, release)
		}
		if _, err := os.Lstat(h.Path(shop + "/.luacap.lock")); err == nil {
			t.Errorf("USER=%.20q: the deploy left its lock behind", user)
			os.Remove(h.Path(shop + "/.luacap.lock"))
		}
	}
}

// shared/public/assets may be a link to where the assets are kept (a
// directory of their own beside the app, say). A deploy that turns
// assets_shared on copies the set served until then for the release it
// leaves: it copied the link instead, so the new release's files went
// into the directory served through it before the swap, its manifest over
// the old one, and a rollback served the new manifest to the old code.
func TestAttackSharedAssetsBehindALinkKeepTheSetOfTheReleaseLeft(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	h := c.Hosts[0]
	s := newSharedAssets(t, c)
	s.env = []string{"ASSETS_SHARED=0"}
	s.release("1", "20260101000001")
	s.env = nil
	live := h.Path(shop + "/shared/public/assets")
	if err := os.Rename(live, h.Path(shop+"/assets-store")); err != nil {
		t.Fatal(err)
	}
	attackSymlink(t, "../../assets-store", live)
	s.servesManifest("shared/public/assets made a link", "20260101000001", "1")

	s.release("2", "20260101000002")
	s.servesManifest("the first deploy with assets_shared", "20260101000002", "2")
	mustSucceed(t, s.run("deploy:rollback"))
	s.servesManifest("a rollback to the release deployed without assets_shared", "20260101000001", "1")
}

// current as an operator may make it by hand: absolute or relative, with
// one or more slashes after the release (ln -sfn releases/NAME// current).
// The shell reads current's release as basename(1) does; with two slashes
// it read no release at all, so a rollback found nothing to roll back
// from. Each such current rolls back to the release before it.
func TestAttackCurrentWithTrailingSlashesIsItsRelease(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	h := c.Hosts[0]
	d := newDeployEnv(t, c, appDeployfile(c, map[string]string{"h1": `"web"`}, ""))
	d.deploy("20260101000001")
	for i, form := range []string{shop + "/releases/%s//", "releases/%s///", shop + "/releases/%s/"} {
		name, before := "2026010100001"+string(rune('0'+i)), d.current(h)
		d.deploy(name)
		attackSymlink(t, strings.ReplaceAll(form, "%s", name), h.Path(shop+"/current"))
		r := d.run("deploy:rollback")
		if r.Code != 0 {
			t.Errorf("current -> %q: the rollback exited %d:\n%s", form, r.Code, r.Output())
		}
		if got := d.current(h); got != before {
			t.Errorf("current -> %q: after the rollback current = %q, want %s", form, got, before)
		}
	}
}

// current as an operator may point it: at the release through a path
// that does not end in its name (releases/NAME/., a relative path through
// current's own directory). Cleanup read current's release from the last
// part of that path, found none of the releases current, and removed the
// release the site serves with the old ones. Cleanup never removes the
// directory current leads to.
func TestAttackCleanupKeepsTheReleaseCurrentLeadsTo(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	h := c.Hosts[0]
	d := newDeployEnv(t, c, appDeployfile(c, map[string]string{"h1": `"web"`}, `set("keep_releases", 9)`))
	names := []string{"20260101000001", "20260101000002", "20260101000003", "20260101000004", "20260101000005"}
	for _, n := range names {
		d.deploy(n)
	}
	for i, form := range []string{shop + "/releases/%s/.", "releases/%s/.", "./releases/../releases/%s/."} {
		name := names[1+i]
		attackSymlink(t, strings.ReplaceAll(form, "%s", name), h.Path(shop+"/current"))
		d.run("deploy:cleanup", "-s", "keep_releases=1")
		if _, err := os.Stat(h.Path(shop + "/releases/" + name + "/public/index.html")); err != nil {
			t.Errorf("current -> %q: cleanup removed the release current leads to: %v", form, err)
		}
	}
}
