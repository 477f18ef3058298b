package spec

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// event is what the spec reads of every line of --format json.
type event struct {
	Event   string  `json:"event"`
	Time    string  `json:"time"`
	Task    string  `json:"task"`
	Host    string  `json:"host"`
	Exit    *int    `json:"exit"`
	Seconds float64 `json:"seconds"`
	Status  string  `json:"status"`
	Release string  `json:"release"`
	Failed  string  `json:"failed_task"`
	Outcome string  `json:"outcome"`
	Hosts   []struct {
		Name   string `json:"name"`
		Status string `json:"status"`
	} `json:"hosts"`
}

// parseEvents parses every line of stdout as one JSON event: nothing
// else may be on it.
func parseEvents(t *testing.T, stdout string) []event {
	t.Helper()
	var out []event
	for i, line := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
		var ev event
		if err := json.Unmarshal([]byte(line), &ev); err != nil || ev.Event == "" || ev.Time == "" {
			t.Fatalf("line %d is not a JSON event (%v): %q", i+1, err, line)
		}
		out = append(out, ev)
	}
	if len(out) == 0 || out[len(out)-1].Event != "summary" {
		t.Fatalf("the stream does not end with the summary:\n%s", stdout)
	}
	return out
}

// On real hosts, the JSON stream of a deploy, of a deploy that fails on
// one host, and of a rollback parses line by line, and its last event
// says what the hosts hold: the release current points at, every host
// ok; or, for the failure, the failed host, the undo, and no host on
// the release that failed.
func TestJSONSummaryMatchesTheHosts(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 3, harness.Options{})
	extra := `after("deploy:symlink", function()
  on(roles("app"), function(host)
    if host.name == fetch("fail_on", "") then execute("echo 'disk full' >&2; exit 1") end
  end)
end)`
	d := newDeployEnv(t, c, appDeployfile(c, map[string]string{"h1": `"web", "app"`, "h2": `"app"`, "h3": `"app"`}, extra))
	steps := []struct {
		args    []string
		code    int
		status  string
		current string // on every host after the step
		failed  []string
	}{
		{[]string{"deploy", "-s", "release_name=20260101000001"}, 0, "ok", "20260101000001", nil},
		{[]string{"deploy", "-s", "release_name=20260101000002"}, 0, "ok", "20260101000002", nil},
		{[]string{"deploy", "-s", "release_name=20260101000003", "-s", "fail_on=h2"}, 1, "failed", "20260101000002", []string{"h2"}},
		{[]string{"deploy:rollback"}, 0, "ok", "20260101000001", nil},
	}
	for _, st := range steps {
		r := d.run(append(st.args, "--format", "json")...)
		if r.Code != st.code {
			t.Fatalf("%v: exit %d, want %d:\n%s", st.args, r.Code, st.code, r.Output())
		}
		events := parseEvents(t, r.Stdout)
		sum := events[len(events)-1]
		if sum.Status != st.status {
			t.Errorf("%v: status %q, want %q", st.args, sum.Status, st.status)
		}
		if st.status == "ok" && st.args[0] == "deploy" && sum.Release != st.current {
			t.Errorf("%v: release %q, but the hosts are on %q", st.args, sum.Release, st.current)
		}
		checkHosts(t, d, st.args, sum, st.current, st.failed)
		if st.status == "failed" {
			checkUndone(t, d, sum, events)
		}
	}
}

// checkHosts compares the summary's hosts with the hosts themselves.
func checkHosts(t *testing.T, d *deployEnv, args []string, sum event, current string, failed []string) {
	t.Helper()
	status := map[string]string{}
	for _, h := range sum.Hosts {
		status[h.Name] = h.Status
	}
	for _, h := range d.c.Hosts {
		want := "ok"
		if strings.Contains(strings.Join(failed, ","), h.Name) {
			want = "failed"
		}
		if status[h.Name] != want {
			t.Errorf("%v: the summary says %s is %q, want %q", args, h.Name, status[h.Name], want)
		}
		if got := d.current(h); got != current {
			t.Errorf("%v: %s is on %q, want %q", args, h.Name, got, current)
		}
	}
}

// checkUndone: the failed deploy's summary says the undo happened, and
// no host keeps the release it named; the failure was an event first.
func checkUndone(t *testing.T, d *deployEnv, sum event, events []event) {
	t.Helper()
	if sum.Release == "" || !strings.Contains(sum.Outcome, "undone on every host") {
		t.Errorf("the failed deploy's summary: release %q, outcome %q", sum.Release, sum.Outcome)
	}
	for _, h := range d.c.Hosts {
		if _, err := os.Stat(h.Path(shop + "/releases/" + sum.Release)); err == nil {
			t.Errorf("%s still has release %s, which the summary says was undone", h.Name, sum.Release)
		}
	}
	for _, ev := range events {
		if ev.Event == "command_end" && ev.Host == "h2" && ev.Exit != nil && *ev.Exit == 1 {
			return
		}
	}
	t.Error("no command_end event with h2's exit status 1")
}
