package spec

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// deployEnv is an app checked out in a directory with its Deployfile,
// and the servers it deploys to.
type deployEnv struct {
	t   *testing.T
	c   *harness.Cluster
	dir string
	env []string
}

const shop = "/var/www/shop"

// appDeployfile deploys ./app with the copy strategy, with a linked file
// and linked dirs, to the hosts with the given roles.
func appDeployfile(c *harness.Cluster, roles map[string]string, extra string) string {
	return preamble(c, roles) + `
set("application", "shop")
set("deploy_to", "` + shop + `")
set("deploy_via", "copy")
set("copy_source", "app")
set("linked_files", { "config/database.yml" })
set("linked_dirs", { "log", "tmp/pids" })
` + extra
}

func newDeployEnv(t *testing.T, c *harness.Cluster, src string) *deployEnv {
	t.Helper()
	d := &deployEnv{t: t, c: c, dir: harness.WriteDeployfile(t, src)}
	for path, body := range map[string]string{
		"app/public/index.html":     "<p>shop</p>\n",
		"app/config/database.yml":   "committed: do not use\n",
		"app/config/application.rb": "# app\n",
	} {
		d.write(filepath.Join(d.dir, path), body)
	}
	for _, h := range c.Hosts {
		d.write(h.Path(shop+"/shared/config/database.yml"), "production: "+h.Name+"\n")
	}
	return d
}

func (d *deployEnv) write(path, body string) {
	d.t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		d.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		d.t.Fatal(err)
	}
}

func (d *deployEnv) run(args ...string) harness.Result {
	d.t.Helper()
	return harness.Run(d.t, luacap, d.dir, d.c.Home(), append([]string{"USER=deployer"}, d.env...), args...)
}

// start runs luacap in the background as user, returning the command and
// its combined output, for tests that act while it runs.
func (d *deployEnv) start(user string, args ...string) (*exec.Cmd, *strings.Builder) {
	d.t.Helper()
	cmd := exec.Command(luacap, args...)
	cmd.Dir, cmd.Env = d.dir, []string{"HOME=" + d.c.Home(), "PATH=" + os.Getenv("PATH"), "USER=" + user, "LUACAP_FORMAT=verbose"}
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		d.t.Fatal(err)
	}
	return cmd, &out
}

// deploy runs a deploy that must succeed, naming the release.
func (d *deployEnv) deploy(release string, args ...string) {
	d.t.Helper()
	r := d.run(append([]string{"deploy", "-s", "release_name=" + release, "-q"}, args...)...)
	if r.Code != 0 {
		d.t.Fatalf("deploy %s exited %d:\n%s", release, r.Code, r.Output())
	}
}

// current is the release the host's current points at, or "".
func (d *deployEnv) current(h *harness.Host) string {
	target, err := os.Readlink(h.Path(shop + "/current"))
	if err != nil {
		return ""
	}
	return filepath.Base(target)
}

// releases lists the host's release directories.
func (d *deployEnv) releases(h *harness.Host) []string {
	entries, _ := os.ReadDir(h.Path(shop + "/releases"))
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out
}

// expectState checks every host is on release current with exactly the
// releases listed, and no lock left behind.
func (d *deployEnv) expectState(current string, releases ...string) {
	d.t.Helper()
	for _, h := range d.c.Hosts {
		if got := d.current(h); got != current {
			d.t.Errorf("%s: current = %q, want %q", h.Name, got, current)
		}
		if got := d.releases(h); strings.Join(got, ",") != strings.Join(releases, ",") {
			d.t.Errorf("%s: releases = %v, want %v", h.Name, got, releases)
		}
		if _, err := os.Stat(h.Path(shop + "/.luacap.lock")); err == nil {
			d.t.Errorf("%s: the deploy lock was left behind", h.Name)
		}
	}
}

func readString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
