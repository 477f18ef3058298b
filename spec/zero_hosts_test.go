package spec

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// snapshot lists every file under the host's deploy root with its mode,
// size and link target: two equal snapshots mean nothing changed there.
func snapshot(t *testing.T, h *harness.Host) string {
	t.Helper()
	root := h.Path(harness.DeployRoot)
	var lines []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		line := fmt.Sprintf("%s %v", strings.TrimPrefix(path, root), info.Mode())
		if info.Mode().IsRegular() {
			line += fmt.Sprintf(" %d", info.Size())
		}
		if target, err := os.Readlink(path); err == nil {
			line += " -> " + target
		}
		lines = append(lines, line)
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", h.Name, err)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func snapshots(t *testing.T, c *harness.Cluster) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, h := range c.Hosts {
		out[h.Name] = snapshot(t, h)
	}
	return out
}

// refused runs luacap, which must exit with code naming every reason in
// want and leave every host as it was.
func (d *deployEnv) refused(code int, want []string, args ...string) {
	d.t.Helper()
	before := snapshots(d.t, d.c)
	r := d.run(args...)
	if r.Code != code {
		d.t.Errorf("luacap %s: exit %d, want %d\n%s", strings.Join(args, " "), r.Code, code, r.Output())
	}
	for _, w := range want {
		if !strings.Contains(r.Stderr, w) {
			d.t.Errorf("luacap %s: stderr lacks %q:\n%s", strings.Join(args, " "), w, r.Output())
		}
	}
	for name, was := range before {
		if now := snapshot(d.t, d.c.Host(name)); now != was {
			d.t.Errorf("luacap %s changed %s:\nbefore:\n%s\nafter:\n%s", strings.Join(args, " "), name, was, now)
		}
	}
}

// A run that would reach no host, for any reason, fails before it
// changes anything; given the stage, the same Deployfile deploys.
func TestZeroHostRunsChangeNothing(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	stages := appDeployfile(c, nil, `
stage("staging", function() server("h9", { roles = { "app" } }) end)
stage("production", function()
  server("h1", { roles = { "web", "app" } })
  server("h2", { roles = { "app" } })
end)
if os.getenv("BAD_ROLES") == "task" then
  task("deploy:restart", { roles = "wbe" }, function() run("true") end)
elseif os.getenv("BAD_ROLES") == "roles" then
  before("deploy:starting", function() on(roles("wbe"), function() end) end)
elseif os.getenv("BAD_ROLES") == "on" then
  before("deploy:starting", function() on("aps", function() end) end)
end
`)
	d := newDeployEnv(t, c, stages)
	servers := "the servers are h1 (web, app); h2 (app)"
	tests := []struct {
		name string
		env  []string
		args []string
		code int
		want []string
	}{
		{"stage forgotten", nil, []string{"deploy"}, 2,
			[]string{"no stage given: luacap STAGE TASK; the stages are staging, production"}},
		{"--hosts matches none", nil, []string{"production", "deploy", "--hosts", "web9"}, 2,
			[]string{"no server matches --hosts web9", servers}},
		{"HOSTS matches none", []string{"HOSTS=web9,db*"}, []string{"production", "deploy"}, 2,
			[]string{"no server matches --hosts web9,db*", "$HOSTS", servers}},
		{"--roles matches none", nil, []string{"production", "deploy", "--roles", "db"}, 2,
			[]string{"no server matches --roles db", servers}},
		{"ROLES matches none", []string{"ROLES=wbe"}, []string{"production", "deploy"}, 2,
			[]string{"no server matches --roles wbe", "$ROLES", servers}},
		{"--hosts not a glob", nil, []string{"production", "deploy", "--hosts", "h[1"}, 2,
			[]string{`--hosts "h[1" is not a valid glob`}},
		{"task option names an unknown role", []string{"BAD_ROLES=task"}, []string{"production", "deploy"}, 2,
			[]string{`task deploy:restart: no server plays role "wbe"; the roles are web, app (did you mean "web"?)`}},
		{"roles() names an unknown role", []string{"BAD_ROLES=roles"}, []string{"production", "deploy"}, 1,
			[]string{`roles(): no server plays role "wbe"; the roles are web, app (did you mean "web"?)`}},
		{"on() names an unknown role", []string{"BAD_ROLES=on"}, []string{"production", "deploy"}, 1,
			[]string{`on(): "aps" is neither a role nor a declared server; the servers are h1, h2 and the roles web, app (did you mean "app"?)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d.t, d.env = t, tt.env
			d.refused(tt.code, tt.want, tt.args...)
		})
	}
	d.t, d.env = t, nil
	r := d.run("production", "deploy", "-s", "release_name=20260101000001", "-q")
	mustSucceed(t, r)
	d.expectState("20260101000001", "20260101000001")
}

// A release name that is empty or a path is refused before anything
// runs: the releases and shared/ stay as the last deploy left them.
func TestHostileReleaseNamesChangeNothing(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	d := newDeployEnv(t, c, appDeployfile(c, map[string]string{"h1": `"app"`, "h2": `"app"`}, ""))
	d.deploy("20260101000001")
	for _, name := range []string{"", "../shared", "..", ".", "../../www", "x y", "$(touch /tmp/luacap-x)"} {
		for _, task := range []string{"deploy", "deploy:rollback", "deploy:cleanup"} {
			d.refused(2, []string{fmt.Sprintf("release_name %q is not a valid release name", name),
				"a release name is one path segment of letters, digits, '.', '_' and '-'"},
				task, "-s", "release_name="+name)
		}
	}
	d.expectState("20260101000001", "20260101000001")
	for _, h := range c.Hosts {
		if got := readString(t, h.Path(shop+"/shared/config/database.yml")); got != "production: "+h.Name+"\n" {
			t.Errorf("%s: shared/config/database.yml = %q", h.Name, got)
		}
	}
	if _, err := os.Stat("/tmp/luacap-x"); err == nil {
		t.Error("a release name ran a command")
	}
}
