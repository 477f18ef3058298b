package output

import (
	"strings"
	"testing"
	"time"
)

func fixedClock() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

func TestTranscript(t *testing.T) {
	var b strings.Builder
	o := New(&b, Options{Level: Normal, Now: fixedClock})
	o.Hosts("web1", "db10")
	o.TaskStart("deploy:check")
	o.CommandStart("web1", "test -d /srv")
	w := o.Writer("web1", false)
	w.Write([]byte("one\ntw"))
	w.Write([]byte("o\r\nthree"))
	w.Close()
	o.Writer("db10", true).Write([]byte("denied\n"))
	o.CommandEnd("web1", 1500*time.Millisecond, 0)
	o.CommandEnd("db10", 20*time.Millisecond, 2)
	o.HostFailed("db10")
	o.TaskEnd("deploy:check", 2*time.Second, true)
	o.TaskEnd("deploy:check", time.Second, false) // counted once
	o.Summary()
	want := strings.Join([]string{
		"* deploy:check",
		"  web1 $ test -d /srv",
		"  web1 | one",
		"  web1 | two",
		"  web1 | three",
		"  db10 ! denied",
		"  web1 ok 1.500s",
		"  db10 FAILED exit 2 0.020s",
		"Summary",
		"  web1  OK      1.500s",
		"  db10  FAILED  0.020s",
		"  deploy:check  2.000s  failed",
		"",
	}, "\n")
	if got := b.String(); got != want {
		t.Errorf("transcript =\n%s\nwant\n%s", got, want)
	}
}

func TestQuietPrintsOnlySummaryAndWarnings(t *testing.T) {
	var b strings.Builder
	o := New(&b, Options{Level: Quiet, Now: fixedClock})
	o.TaskStart("x")
	o.CommandStart("h", "true")
	o.Line("h", false, "out")
	o.Warn("careful")
	if got := b.String(); got != "warning: careful\n" {
		t.Errorf("quiet output = %q", got)
	}
}

func TestColorOnlyWhenAsked(t *testing.T) {
	var b strings.Builder
	New(&b, Options{Level: Normal, Color: true}).TaskStart("x")
	if !strings.Contains(b.String(), "\x1b[") {
		t.Errorf("no colour codes in %q", b.String())
	}
}

func TestQueuedEndNamesItsTaskAndCommand(t *testing.T) {
	tests := []struct {
		cmd  string
		exit int
		want string
	}{
		{"touch tmp/restart.txt", 0, "  web1 ok 0.004s  (deploy:restart: touch tmp/restart.txt)\n"},
		{"problems=$(\n[ -f x ] || echo x\n)", 1, "  web1 FAILED exit 1 0.004s  (deploy:restart: problems=$( ...)\n"},
		{strings.Repeat("a", 70), 0, "  web1 ok 0.004s  (deploy:restart: " + strings.Repeat("a", 57) + "...)\n"},
	}
	for _, tt := range tests {
		var b strings.Builder
		o := New(&b, Options{Level: Normal, Now: fixedClock})
		o.Hosts("web1")
		o.QueuedEnd("web1", "deploy:restart", 4*time.Millisecond, tt.exit, tt.cmd)
		if got := b.String(); got != tt.want {
			t.Errorf("QueuedEnd(%q) printed %q, want %q", tt.cmd, got, tt.want)
		}
	}
}
