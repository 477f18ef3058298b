package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// loadBundled loads the bundled recipes, then src as the Deployfile, for
// a dry run: the milestones' order without touching a server.
func loadBundled(t *testing.T, src string) *testRun {
	t.Helper()
	return bundledWith(t, src, nil)
}

// milestones hooks every Capistrano 3 milestone, before and after, so the
// trace shows which ones a flow passes through, in which order.
var milestones = []string{"starting", "started", "updating", "updated", "reverting", "reverted",
	"publishing", "published", "finishing", "finishing_rollback", "finished"}

func hookEveryMilestone() string {
	var b strings.Builder
	b.WriteString(`
set("application", "shop")
set("deploy_via", "copy")
set("copy_source", fetch("dir"))
server("h1", { transport = "local", roles = { "web", "app", "db" } })
local function mark(s) return function() table.insert(trace, s) end end
`)
	for _, m := range milestones {
		b.WriteString(`before("deploy:` + m + `", mark("` + m + `"))` + "\n")
		b.WriteString(`after("deploy:` + m + `", mark("/` + m + `"))` + "\n")
	}
	return b.String()
}

func TestFlowsPassThroughCapistranoMilestones(t *testing.T) {
	deploy := "starting /starting started /started updating /updating updated /updated " +
		"publishing /publishing published /published finishing /finishing finished /finished"
	tests := []struct{ task, want string }{
		{"deploy", deploy},
		{"deploy:migrations", deploy},
		{"deploy:rollback", "started /started reverting /reverting reverted /reverted " +
			"finishing_rollback /finishing_rollback finished /finished"},
	}
	for _, tt := range tests {
		t.Run(tt.task, func(t *testing.T) {
			r := loadBundled(t, hookEveryMilestone())
			r.mustRun(t, tt.task)
			if got := strings.Join(r.trace(), " "); got != tt.want {
				t.Errorf("%s passed through:\n%s\nwant:\n%s", tt.task, got, tt.want)
			}
		})
	}
}

// The rollback's steps stay where they were, now inside its milestones:
// the lock and the switch in reverting, the cleanup in finishing_rollback.
func TestRollbackStepsInsideTheirMilestones(t *testing.T) {
	r := loadBundled(t, hookEveryMilestone()+`
for _, s in ipairs({ "deploy:lock", "deploy:rollback:revision", "deploy:restart", "deploy:rollback:cleanup" }) do
  before(s, mark(s))
end`)
	r.mustRun(t, "deploy:rollback")
	want := "started /started reverting deploy:lock deploy:rollback:revision /reverting reverted /reverted " +
		"deploy:restart finishing_rollback deploy:rollback:cleanup /finishing_rollback finished /finished"
	if got := strings.Join(r.trace(), " "); got != want {
		t.Errorf("deploy:rollback ran:\n%s\nwant:\n%s", got, want)
	}
}

func TestFetchLayoutNamesFollowTheFunctions(t *testing.T) {
	for _, name := range []string{"current_path", "release_path", "shared_path", "releases_path", "repo_path", "deploy_to"} {
		t.Run(name, func(t *testing.T) {
			// deploy_to changes after a first fetch: fetch must not keep a stale value.
			r := load(t, `
set("deploy_to", "/srv/a")
table.insert(trace, fetch("`+name+`") == `+name+`() and fetch("`+name+`"):sub(1, 6) or "differs")
set("deploy_to", "/srv/b")
table.insert(trace, fetch("`+name+`") == `+name+`() and fetch("`+name+`"):sub(1, 6) or "differs")`)
			wantTrace(t, r, "/srv/a", "/srv/b")
		})
	}
}

func TestFetchLayoutNamesFollowARedefinedFunction(t *testing.T) {
	r := load(t, `
function current_path() return "/elsewhere/current" end
table.insert(trace, fetch("current_path"))`)
	wantTrace(t, r, "/elsewhere/current")
}

func TestSetOfALayoutNameIsRefused(t *testing.T) {
	for _, name := range []string{"current_path", "release_path", "shared_path", "releases_path", "repo_path"} {
		t.Run(name, func(t *testing.T) {
			_, err := tryLoad(t, `set("`+name+`", "/x")`)
			want := `Deployfile.lua:2: set("` + name + `"): ` + name + ` follows deploy_to (release_path also release_name); set those instead`
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("error = %v, want %q", err, want)
			}
		})
	}
}

// TestRevisions lays out releases on a local host and reads the two
// revisions, as a task does before and after this run made its release.
func TestRevisions(t *testing.T) {
	tests := []struct {
		name     string
		releases map[string]string // release -> REVISION ("" for none)
		current  string
		want     string // current_revision previous_revision
	}{
		{"first deploy", nil, "", "nil nil"},
		{"a repeat deploy", map[string]string{"20250101000000": "aaa\n", "20251231000000": "bbb\n"}, "20251231000000", "bbb bbb"},
		{"current rolled back", map[string]string{"20250101000000": "aaa\n", "20251231000000": "bbb\n"}, "20250101000000", "aaa bbb"},
		{"a release without REVISION", map[string]string{"20250101000000": "aaa\n", "20251231000000": ""}, "20250101000000", "aaa aaa"},
		{"this run's release made", map[string]string{"20251231000000": "bbb\n", "20260102030405": "new\n"}, "20251231000000", "new bbb"},
		{"revisions with spaces", map[string]string{"20250101000000": "directory app\n", "20251231000000": "v 2\n"}, "20250101000000", "directory app v 2"},
		{"a newer release than this run's", map[string]string{"20251231000000": "bbb\n", "20270101000000": "zzz\n"}, "20251231000000", "bbb bbb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := load(t, `
server("h1", { transport = "local", roles = { "app" } })
set("deploy_to", fetch("dir"))
task("x", function()
  on(roles("app"), function()
    table.insert(trace, tostring(fetch("current_revision")) .. " " .. tostring(fetch("previous_revision")))
  end)
end)`)
			layOut(t, r.dir, tt.releases, tt.current)
			r.mustRun(t, "x")
			wantTrace(t, r, tt.want)
		})
	}
}

func layOut(t *testing.T, dir string, releases map[string]string, current string) {
	t.Helper()
	for name, rev := range releases {
		rel := filepath.Join(dir, "releases", name)
		if err := os.MkdirAll(rel, 0o755); err != nil {
			t.Fatal(err)
		}
		if rev != "" {
			if err := os.WriteFile(filepath.Join(rel, "REVISION"), []byte(rev), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if current != "" {
		if err := os.Symlink(filepath.Join(dir, "releases", current), filepath.Join(dir, "current")); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOnModeOption(t *testing.T) {
	sequence := "start h1,end h1,start h2,end h2,start h3,end h3"
	tests := []struct{ opts, want string }{
		{`{ mode = "sequence" }`, sequence},
		{`{ ["in"] = "sequence" }`, sequence},
		{`{ mode = "groups", limit = 1 }`, sequence},
		{`{ mode = "random" }`, `mode="random" is not a policy; use "parallel", "sequence" or "groups"`},
		{`{ mode = "groups" }`, `mode="groups" needs limit, a number of hosts of at least 1`},
		{`{ mode = "sequence", ["in"] = "parallel" }`, `on(): give the policy as mode or as ["in"], not both`},
		{`{ modes = "sequence" }`, `on(): "modes" is not an option; the options are mode, limit, wait, in`},
	}
	for _, tt := range tests {
		t.Run(tt.opts, func(t *testing.T) {
			r := load(t, localHosts+`
task("x", function()
  on(roles("all"), `+tt.opts+`, function(h)
    table.insert(trace, "start " .. h.name)
    execute("true")
    table.insert(trace, "end " .. h.name)
  end)
end)`)
			err := r.run("x")
			got := strings.Join(r.trace(), ",")
			if err != nil {
				got = strings.TrimPrefix(r.errText(err), "task x failed: DIR/Deployfile.lua:8: ")
			}
			if got != tt.want {
				t.Errorf("on(%s): %s, want %s", tt.opts, got, tt.want)
			}
		})
	}
}
