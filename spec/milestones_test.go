package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// everyMilestone hooks each of Capistrano 3's milestones, before and
// after, writing its name to hooks.log here; the deploy:updated hook also
// reads the revisions (at task level: on the first host).
const everyMilestone = `
local function mark(name) return function() run_locally("echo " .. name .. " >> hooks.log") end end
for _, m in ipairs({ "starting", "started", "updating", "updated", "reverting", "reverted",
    "publishing", "published", "finishing", "finishing_rollback", "finished" }) do
  before("deploy:" .. m, mark(m))
  after("deploy:" .. m, mark("/" .. m))
end
after("deploy:updated", function()
  local line = "current " .. tostring(fetch("current_revision")) .. ", previous " .. tostring(fetch("previous_revision"))
  run_locally({ "sh", "-c", "echo \"$1\" >> revisions.log", "sh", line })
end)
`

// TestCapistranoMilestonesAndHooks deploys twice and rolls back on real
// hosts; every milestone's hooks fire, in Capistrano 3's order.
func TestCapistranoMilestonesAndHooks(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	d := newDeployEnv(t, c, appDeployfile(c, map[string]string{"h1": `"web", "app"`, "h2": `"db"`}, everyMilestone))
	deploy := lines("starting /starting started /started updating /updating updated /updated " +
		"publishing /publishing published /published finishing /finishing finished /finished")
	d.deploy("20260101000001")
	d.expectHooks(deploy)
	d.deploy("20260101000002")
	d.expectHooks(deploy)
	mustSucceed(t, d.run("deploy:rollback", "-q"))
	d.expectHooks(lines("started /started reverting /reverting reverted /reverted " +
		"finishing_rollback /finishing_rollback finished /finished"))
	d.expectState("20260101000001", "20260101000001")
	// read in deploy:updated: this run's release, and the one before it
	revisions := readString(t, filepath.Join(d.dir, "revisions.log"))
	want := "current directory app, previous nil\ncurrent directory app, previous directory app\n"
	if revisions != want {
		t.Errorf("revisions read in deploy:updated:\n%s\nwant one line per run, the first with no previous revision", revisions)
	}
}

func lines(words string) string { return strings.Join(strings.Fields(words), "\n") + "\n" }

// expectHooks checks hooks.log, then empties it for the next run.
func (d *deployEnv) expectHooks(want string) {
	d.t.Helper()
	file := filepath.Join(d.dir, "hooks.log")
	if got := readString(d.t, file); got != want {
		d.t.Errorf("hooks fired:\n%s\nwant:\n%s", got, want)
	}
	os.Remove(file)
}
