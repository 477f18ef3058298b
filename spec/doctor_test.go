package spec

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

const doctorLock = "deploy@laptop (pid 42) since 2026-01-01 00:00:00 UTC, running deploy for release 20260101000003\n"

// doctor reports, on real hosts, without changing anything: h1 has a
// layout with a lock held, h2 has none, h3 does not answer.
func TestDoctorOnRealHosts(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 3, harness.Options{})
	h1 := c.Host("h1")
	for _, rel := range []string{"20260101000001", "20260101000002"} {
		mkdir(t, h1.Path(shop+"/releases/"+rel))
	}
	mkdir(t, h1.Path(shop+"/shared"))
	if err := os.Symlink(shop+"/releases/20260101000002", h1.Path(shop+"/current")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, h1.Path(shop+"/.luacap.lock"), doctorLock) // mkdir made its directory
	c.Host("h3").Stop()

	var servers strings.Builder
	for _, h := range c.Hosts {
		fmt.Fprintf(&servers, "  server(%q, { roles = { \"web\", \"app\" } })\n", h.Name)
	}
	src := fmt.Sprintf(`set("ssh_options", { config = %q })
set("application", "shop")
set("deploy_to", %q)
set("keep_relases", 3)
set("db_password", "hunter2", { secret = true })
task("db:dump", function() run("echo " .. fetch("db_password")) end)
stage("production", function()
%send)
`, c.SSHConfig, shop, servers.String())
	dir := harness.WriteDeployfile(t, src)

	r := harness.Run(t, luacap, dir, c.Home(), nil, "doctor")
	if r.Code != 2 || !strings.Contains(r.Stderr, "pick a stage: luacap doctor STAGE; the stages are production") {
		t.Errorf("doctor without a stage exited %d:\n%s", r.Code, r.Output())
	}

	r = harness.Run(t, luacap, dir, c.Home(), nil, "doctor", "production")
	if r.Code != 1 || !strings.Contains(r.Stderr, "no answer from h3") {
		t.Errorf("doctor exited %d, want 1 naming h3:\n%s", r.Code, r.Output())
	}
	for _, want := range []string{
		`  deploy_to = "/var/www/shop"`,
		`  db_password = "[secret]"`,
		`  current_revision = (lazy: runs commands; computed when a task reads it)`,
		`  h1: roles web, app; transport ssh`,
		`  h1: reachable, as root`,
		`  h2: reachable, as root`,
		`    layout   2 releases, current -> /var/www/shop/releases/20260101000002, shared/ present, lock held by ` + strings.TrimSpace(doctorLock),
		`    layout   none yet (deploy_to does not exist)`,
		`  h3: unreachable: connecting: `,
		`setting "keep_relases" is set but nothing reads it: did you mean "keep_releases"?`,
	} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("doctor's output lacks %q:\n%s", want, r.Stdout)
		}
	}
	for _, tool := range []string{"    rsync    rsync  version ", "    git      git version ", "    tar      tar (GNU tar) "} {
		if strings.Count(r.Stdout, tool) != 2 {
			t.Errorf("want %q for h1 and h2:\n%s", tool, r.Stdout)
		}
	}
	if strings.Contains(r.Output(), "hunter2") || strings.Contains(r.Stdout, `"db_password" is set but nothing`) {
		t.Errorf("the secret shows, or a setting a task reads is reported:\n%s", r.Output())
	}
	doctorChangedNothing(t, c)
}

// doctorChangedNothing: the lock is still the one written, and the host
// without a layout still has none.
func doctorChangedNothing(t *testing.T, c *harness.Cluster) {
	t.Helper()
	if b, err := os.ReadFile(c.Host("h1").Path(shop + "/.luacap.lock")); err != nil || string(b) != doctorLock {
		t.Errorf("h1's lock changed: %q, %v", b, err)
	}
	if _, err := os.Stat(c.Host("h2").Path(shop)); !os.IsNotExist(err) {
		t.Errorf("doctor made %s on h2: %v", shop, err)
	}
}

func mkdir(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(path, 0o755); err != nil {
		t.Fatal(err)
	}
}
