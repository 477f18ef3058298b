package output

import (
	"encoding/json"
	"io"
	"strings"
	"syscall"
	"testing"
	"time"
)

// step is a scripted run: what the engine and backends would emit.
func step(o *Output) {
	o.Hosts("web1", "web2", "web3")
	o.TaskStart("deploy:starting") // runs nothing: no line in pretty
	o.TaskEnd("deploy:starting", 0, false)
	o.TaskStart("deploy:check")
	for _, h := range []string{"web1", "web2", "web3"} {
		o.CommandStart(h, "test -d /srv\nmore")
	}
	o.Line("web1", false, "fine")
	o.Line("web2", true, "denied")
	o.Line("web3", true, "denied")
	o.CommandEnd("web1", 11*time.Millisecond, 0)
	o.CommandEnd("web2", 20*time.Millisecond, 2)
	o.CommandEnd("web3", 30*time.Millisecond, 2)
	o.HostFailed("web2")
	o.HostFailed("web3")
	o.TaskEnd("deploy:check", time.Second, true)
}

// Pretty: a line per task that runs something, the command once, a line
// per host; output only for failures, the same output of several hosts
// once, naming them; the closing line from the run's Final.
func TestPrettyCondensesAndGroupsFailures(t *testing.T) {
	var b strings.Builder
	o := New(&b, Options{Format: FormatPretty, Level: Normal, Now: fixedClock})
	step(o)
	o.Finish(Final{Status: "failed", Tasks: []string{"deploy"}, Failed: "deploy:check",
		Outcome: "the transaction deploy:update was undone on every host", Log: "log/luacap.log"})
	want := strings.Join([]string{
		"00:00 deploy:check",
		"      $ test -d /srv ...",
		"      ✔ web1 0.011s",
		"      ✘ web2 exit 2 0.020s",
		"      ✘ web3 exit 2 0.030s",
		"        web2, web3:",
		"        | denied",
		"FAILED: deploy:check on web2, web3; the transaction deploy:update was undone on every host; log: log/luacap.log",
		"",
	}, "\n")
	if got := b.String(); got != want {
		t.Errorf("pretty =\n%s\nwant\n%s", got, want)
	}
}

// Quiet shows the failures and the closing line, nothing that went well.
func TestPrettyQuietShowsOnlyFailures(t *testing.T) {
	var b strings.Builder
	o := New(&b, Options{Format: FormatPretty, Level: Quiet, Now: fixedClock})
	step(o)
	if got := b.String(); strings.Contains(got, "web1") || !strings.Contains(got, "✘ web2 exit 2") {
		t.Errorf("quiet pretty =\n%s", got)
	}
}

// A command is cut to the terminal's width, whatever its length.
func TestPrettyCutsCommandsToTheWidth(t *testing.T) {
	for _, width := range []int{20, 40, 80, 120} {
		for _, n := range []int{1, width / 2, width - 8, width, 3 * width} {
			var b strings.Builder
			o := New(&b, Options{Format: FormatPretty, Level: Normal, Width: width, Now: fixedClock})
			o.TaskStart("t")
			o.CommandStart("h", strings.Repeat("x", n))
			for _, line := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
				if l := len([]rune(line)); l > width {
					t.Errorf("width %d, command of %d: a line of %d runes: %q", width, n, l, line)
				}
			}
		}
	}
}

// A pipelined command's end, read under a later task's heading, names
// the task that sent it, and that task's time runs to the command's end.
func TestQueuedEndsBelongToTheirSender(t *testing.T) {
	var b strings.Builder
	clock := fixedClock()
	now := func() time.Time { return clock }
	o := New(&b, Options{Format: FormatPretty, Level: Normal, Now: now})
	o.Hosts("web1")
	o.TaskStart("deploy:restart")
	o.CommandStart("web1", "touch restart.txt")
	o.TaskEnd("deploy:restart", 0, false)
	o.TaskStart("deploy:symlink")
	clock = clock.Add(1500 * time.Millisecond)
	o.QueuedEnd("web1", "deploy:restart", 1500*time.Millisecond, 0, "touch restart.txt")
	o.CommandStart("web1", "ln -s a b")
	if got := b.String(); !strings.Contains(got, "✔ web1 1.500s  (deploy:restart)\n") {
		t.Errorf("the queued end does not name its task:\n%s", got)
	}
	var j strings.Builder
	js := New(&j, Options{Format: FormatJSON, Now: now})
	js.state = o.state
	js.Finish(Final{Status: "ok"})
	var sum struct {
		TaskTimes []struct {
			Name    string
			Seconds float64
		} `json:"task_times"`
	}
	if err := json.Unmarshal([]byte(j.String()), &sum); err != nil {
		t.Fatal(err)
	}
	if len(sum.TaskTimes) != 1 || sum.TaskTimes[0].Seconds != 1.5 {
		t.Errorf("deploy:restart's time = %+v, want 1.5 s: until its command ended", sum.TaskTimes)
	}
}

// Every event is one line of JSON that parses, with the event's name;
// the last is the summary, with each host's state.
func TestJSONIsOneObjectPerLine(t *testing.T) {
	var b strings.Builder
	o := New(&b, Options{Format: FormatJSON, Now: fixedClock})
	o.Start(Start{Tasks: []string{"deploy"}, DryRun: false})
	step(o)
	o.Note(Normal, "web1", "a message with \"quotes\" and \x1b[31m")
	o.Warn("careful")
	o.Finish(Final{Status: "failed", Failed: "deploy:check"})
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	var last map[string]any
	for _, line := range lines {
		last = nil
		if err := json.Unmarshal([]byte(line), &last); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		if last["event"] == "" || last["time"] != "2026-01-02T03:04:05Z" {
			t.Errorf("no event or time: %s", line)
		}
	}
	if last["event"] != "summary" || last["status"] != "failed" {
		t.Fatalf("last event: %v", last)
	}
	hosts := last["hosts"].([]any)
	if len(hosts) != 3 || hosts[1].(map[string]any)["status"] != "failed" || hosts[0].(map[string]any)["status"] != "ok" {
		t.Errorf("hosts: %v", hosts)
	}
	if strings.Contains(b.String(), "\x1b") {
		t.Error("a control character from a server reached the JSON stream unescaped")
	}
}

// Secrets are masked in every formatter and in the log, through emit.
func TestEveryFormatterIsMasked(t *testing.T) {
	for _, f := range Formats {
		var b, log strings.Builder
		o := New(&b, Options{Format: f, Level: Verbose, Now: fixedClock})
		o.AddLog(&log)
		o.SetSecrets("hunter2")
		o.TaskStart("t")
		o.CommandStart("h", "export PW=hunter2")
		o.Line("h", true, "bad password hunter2")
		o.CommandEnd("h", 0, 1)
		o.Note(Normal, "h", "hunter2")
		o.Finish(Final{Status: "failed", Error: "h: hunter2 failed"})
		for name, got := range map[string]string{string(f): b.String(), "log": log.String()} {
			if strings.Contains(got, "hunter2") || !strings.Contains(got, Secret) {
				t.Errorf("%s shows the secret or no mask:\n%s", name, got)
			}
		}
	}
}

// The progress line is rewritten in place and erased before the next
// line, so the scroll-back holds only real lines.
func TestProgressIsErasedBeforeTheNextLine(t *testing.T) {
	var b strings.Builder
	clock := fixedClock()
	o := New(&b, Options{Format: FormatPretty, Level: Normal, Now: func() time.Time { return clock }})
	o.Hosts("web1")
	o.TaskStart("deploy:migrate")
	o.CommandStart("web1", "rake db:migrate")
	clock = clock.Add(time.Second)
	o.tick() // too soon: nothing
	clock = clock.Add(2 * time.Second)
	o.tick()
	clock = clock.Add(time.Second)
	o.tick()
	o.CommandEnd("web1", 4*time.Second, 0)
	want := "00:00 deploy:migrate\n      $ rake db:migrate\n" +
		"      … web1 running 3s" + "\r\x1b[K" + "      … web1 running 4s" + "\r\x1b[K" +
		"      ✔ web1 4.000s\n"
	if got := b.String(); got != want {
		t.Errorf("progress =\n%q\nwant\n%q", got, want)
	}
}

// A terminal or a log file whose writes fail is dropped, in every
// format: no write after the first failure, and every event returns.
func TestABrokenWriterIsDroppedInEveryFormat(t *testing.T) {
	for _, f := range Formats {
		term := &failingWriter{limit: 10, err: io.ErrClosedPipe}
		log := &failingWriter{limit: 30, err: syscall.ENOSPC}
		o := New(term, Options{Format: f, Level: Verbose, Now: fixedClock})
		o.AddLog(log)
		step(o)
		o.Warn("careful")
		o.Finish(Final{Status: "failed"})
		for name, w := range map[string]*failingWriter{"terminal": term, "log": log} {
			if !w.failed || w.writes > 0 {
				t.Errorf("%s, %s: failed %v, %d writes after the failure", f, name, w.failed, w.writes)
			}
		}
	}
}
