package spec

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// capApp is the app of spec/testdata/capistrano: a Capistrano 3 config
// and its port, checked out and committed, deployed to two real hosts
// known by their production names.
type capApp struct {
	t   *testing.T
	c   *harness.Cluster
	dir string
}

// The production names of the harness's h1 and h2.
var capHosts = map[string]string{"web1.example.com": "h1", "web2.example.com": "h2"}

// TestCapistranoPortDeploysAsTheRubyOriginal deploys the Lua port of
// spec/testdata/capistrano, deploys again, and rolls back, and checks
// the servers for what config/deploy.rb would have done: the uploaded
// config, the migration once (conditionally_migrate), the Passenger
// restart one host at a time, the hooks' rake tasks in Capistrano's
// order, the revision file on the primary, sidekiq only where the
// property says, and the rollback.
func TestCapistranoPortDeploysAsTheRubyOriginal(t *testing.T) {
	t.Parallel()
	a := newCapApp(t)
	sha1 := a.commit("the app")
	events := a.deploy("20260101000001")
	a.expectLayout("20260101000001", "20260101000001")
	expectTaskOrder(t, events, "deploy:upload_config", "deploy:check", "deploy:migrate", "deploy:symlink",
		"deploy:restart", "deploy:clear_cache", "sidekiq:restart", "deploy:cleanup", "deploy:record_revision")
	expectOneHostAtATime(t, events, "deploy:restart")
	for _, h := range a.c.Hosts {
		if got := readString(t, h.Path(shop+"/shared/config/database.yml")); !strings.Contains(got, "shop_production") {
			t.Errorf("%s: shared/config/database.yml = %q, not the uploaded config/database.production.yml", h.Name, got)
		}
		if _, err := os.Stat(h.Path(shop + "/releases/20260101000001/tmp/restart.txt")); err != nil {
			t.Errorf("%s: Passenger was not restarted: %v", h.Name, err)
		}
	}

	a.write("public/index.html", "<p>shop v2</p>\n")
	sha2 := a.commit("v2")
	a.deploy("20260101000002")
	a.expectLayout("20260101000002", "20260101000001", "20260101000002")
	web1 := a.c.Host("h1")
	if got := readString(t, web1.Path(shop+"/shared/public/system/previous_revision.txt")); got != sha1+"\n" {
		t.Errorf("web1: previous_revision.txt = %q, want the first deploy's %s", got, sha1)
	}

	mustSucceed(t, a.run("deploy:rollback"))
	a.expectLayout("20260101000001", "20260101000001")
	// deploy:finishing does not run in a rollback, in Capistrano either.
	if got := readString(t, web1.Path(shop+"/shared/public/system/revision.txt")); got != sha2+"\n" {
		t.Errorf("web1: revision.txt = %q, want the last deploy's %s", got, sha2)
	}
	if _, err := os.Stat(a.c.Host("h2").Path(shop + "/shared/public/system/revision.txt")); err == nil {
		t.Errorf("web2, not primary, has revision.txt")
	}
	a.expectRake("h1",
		"20260101000001 RAILS_ENV=production rake db:migrate",
		"20260101000001 RAILS_ENV=production rake tmp:cache:clear",
		"20260101000002 RAILS_ENV=production rake tmp:cache:clear", // db/ unchanged: no migration
		"20260101000001 RAILS_ENV=production rake tmp:cache:clear")
	a.expectRake("h2",
		"20260101000001 RAILS_ENV=production rake tmp:cache:clear",
		"20260101000001 RAILS_ENV=production rake sidekiq:restart",
		"20260101000002 RAILS_ENV=production rake tmp:cache:clear",
		"20260101000002 RAILS_ENV=production rake sidekiq:restart",
		"20260101000001 RAILS_ENV=production rake tmp:cache:clear",
		"20260101000001 RAILS_ENV=production rake sidekiq:restart")

	r := a.run("doctor", "production")
	mustSucceed(t, r)
	if out := r.Output(); strings.Contains(strings.ToLower(out), "warning") || !strings.Contains(out, "Settings nothing reads:\n  none\n") {
		t.Errorf("doctor production warns about the port:\n%s", out)
	}
}

// newCapApp checks the testdata app out in a repository of its own, the
// servers' user set to the hosts' (they have no deploy user), and names
// the hosts in ~/.ssh/config as a team's laptop would.
func newCapApp(t *testing.T) *capApp {
	t.Helper()
	a := &capApp{t: t, c: harness.Start(t, 2, harness.Options{}), dir: t.TempDir()}
	if err := os.CopyFS(a.dir, os.DirFS("testdata/capistrano")); err != nil {
		t.Fatal(err)
	}
	stage := filepath.Join(a.dir, "deploy/production.lua")
	a.write("deploy/production.lua", strings.ReplaceAll(readString(t, stage), `user = "deploy"`, `user = "root"`))
	git(t, a.dir, "init", "-q", "-b", "main")
	cfg := readString(t, a.c.SSHConfig)
	for name, h := range capHosts {
		cfg = strings.Replace(cfg, "Host "+h+"\n", "Host "+name+"\n", 1)
	}
	mkdir(t, filepath.Join(a.c.Home(), ".ssh"))
	a.write(filepath.Join(a.c.Home(), ".ssh/config"), cfg)
	return a
}

func (a *capApp) write(rel, body string) {
	a.t.Helper()
	if !filepath.IsAbs(rel) {
		rel = filepath.Join(a.dir, rel)
	}
	if err := os.WriteFile(rel, []byte(body), 0o644); err != nil {
		a.t.Fatal(err)
	}
}

func (a *capApp) commit(msg string) string { a.t.Helper(); return commitAll(a.t, a.dir, msg) }

// run runs luacap production ARGS in the app, the servers cloning the
// app's own repository instead of GitHub.
func (a *capApp) run(args ...string) harness.Result {
	a.t.Helper()
	if args[0] != "doctor" {
		args = append([]string{"production"}, append(args, "-s", "repo_url="+a.dir)...)
	}
	return harness.Run(a.t, luacap, a.dir, a.c.Home(), []string{"LUACAP_FORMAT=json"}, args...)
}

// deploy deploys release and returns the run's JSON events.
func (a *capApp) deploy(release string) []capEvent {
	a.t.Helper()
	r := a.run("deploy", "-s", "release_name="+release)
	mustSucceed(a.t, r)
	return capEvents(a.t, r.Stdout)
}

// expectLayout checks Capistrano's layout on every host: current, the
// releases, REVISION, the linked config, and no lock.
func (a *capApp) expectLayout(current string, releases ...string) {
	a.t.Helper()
	d := &deployEnv{t: a.t, c: a.c}
	d.expectState(current, releases...)
	for _, h := range a.c.Hosts {
		rel := shop + "/releases/" + current
		if got := readString(a.t, h.Path(rel+"/REVISION")); len(strings.TrimSpace(got)) != 40 {
			a.t.Errorf("%s: REVISION = %q, not a commit", h.Name, got)
		}
		if link, err := os.Readlink(h.Path(rel + "/config/database.yml")); err != nil || link != shop+"/shared/config/database.yml" {
			a.t.Errorf("%s: config/database.yml is not linked to shared/: %q %v", h.Name, link, err)
		}
	}
}

// expectRake checks the calls of bin/rake the host's shared/log records.
func (a *capApp) expectRake(host string, want ...string) {
	a.t.Helper()
	got := strings.Split(strings.TrimSpace(readString(a.t, a.c.Host(host).Path(shop+"/shared/log/rake.log"))), "\n")
	if !slices.Equal(got, want) {
		a.t.Errorf("%s: bin/rake ran\n  %s\nwant\n  %s", host, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

type capEvent struct {
	Event, Task, Host string
}

func capEvents(t *testing.T, out string) []capEvent {
	t.Helper()
	var evs []capEvent
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e capEvent
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("a line of --format json is not JSON: %v: %s", err, sc.Text())
		}
		evs = append(evs, e)
	}
	return evs
}

// expectTaskOrder checks that the tasks started in this order.
func expectTaskOrder(t *testing.T, events []capEvent, tasks ...string) {
	t.Helper()
	var started []string
	for _, e := range events {
		if e.Event == "task_start" && slices.Contains(tasks, e.Task) {
			started = append(started, e.Task)
		}
	}
	if !slices.Equal(started, tasks) {
		t.Errorf("tasks started in the order\n  %v\nwant\n  %v", started, tasks)
	}
}

// expectOneHostAtATime checks that task's commands on one host all ended
// before its first command on the next one started: in: :sequence.
func expectOneHostAtATime(t *testing.T, events []capEvent, task string) {
	t.Helper()
	var hosts []string
	for _, e := range events {
		if e.Task == task && (e.Event == "command_start" || e.Event == "command_end") {
			if len(hosts) == 0 || hosts[len(hosts)-1] != e.Host {
				hosts = append(hosts, e.Host)
			}
		}
	}
	if want := []string{"web1.example.com", "web2.example.com"}; !slices.Equal(hosts, want) {
		t.Errorf("%s's commands ran on %v in turn; want one host at a time, %v", task, hosts, want)
	}
}
