package spec

import (
	"os"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// A pipelined task sends its commands without waiting; a failure still
// stops its host where it happened, is named with the task that sent it,
// and every command keeps its own output and status.
func TestPipelinedFailureStopsItsHostOnly(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	src := preamble(c, map[string]string{"h1": `"app"`, "h2": `"app"`}) + `
task("send", { pipelined = true }, function()
  on(roles("app"), function(host)
    execute("echo first > /var/www/first")
    execute("echo said-" .. host.name)
    if host.name == "h2" then execute("echo broken >&2; exit 3") end
    execute("echo after > /var/www/after")
  end)
end)
task("next", { pipelined = true }, function()
  run("echo next > /var/www/next")
end)
task("read", function()
  on(roles("app"), function(host) info(host.name .. " read " .. capture("cat /var/www/first")) end)
end)`
	r := runLuacap(t, c, src, nil, "send", "next", "read")
	if r.Code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", r.Code, r.Output())
	}
	for _, want := range []string{
		"task send failed: ",
		"h2: command failed with exit status 3: echo broken >&2; exit 3",
		"(sent by send; nothing after it ran on h2)",
		"broken",
	} {
		if !strings.Contains(r.Stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.Stderr)
		}
	}
	for _, want := range []string{"h1 | said-h1\n", "h2 | said-h2\n", "h2 FAILED exit 3", "h2 skipped: a command before it failed: echo after > /var/www/after", "h1 read first"} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.Stdout)
		}
	}
	for path, wantH1 := range map[string]bool{"/var/www/first": true, "/var/www/after": true, "/var/www/next": true} {
		for _, h := range c.Hosts {
			_, err := os.Stat(h.Path(path))
			want := wantH1 && (h.Name == "h1" || path == "/var/www/first")
			if (err == nil) != want {
				t.Errorf("%s on %s: exists %v, want %v", path, h.Name, err == nil, want)
			}
		}
	}
}

// A transaction commits only what every host confirmed: a pipelined
// command failing inside it undoes the steps before it.
func TestPipelinedFailureInsideATransactionUndoes(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	src := preamble(c, map[string]string{"h1": `"app"`, "h2": `"app"`}) + `
task("change", { transaction = true }, { "make", "fill" })
task("make", function()
  on(roles("app"), function()
    on_rollback("rm -f /var/www/made")
    execute("touch /var/www/made")
  end)
end)
task("fill", { pipelined = true }, function()
  on(roles("app"), function(host)
    execute(host.name == "h1" and "true" or "false")
  end)
end)`
	r := runLuacap(t, c, src, nil, "change")
	if r.Code != 1 || !strings.Contains(r.Stderr, "task fill failed") {
		t.Fatalf("exit %d, want 1 naming fill:\n%s", r.Code, r.Output())
	}
	for _, h := range c.Hosts {
		if _, err := os.Stat(h.Path("/var/www/made")); err == nil {
			t.Errorf("%s: /var/www/made was not undone:\n%s", h.Name, r.Stdout)
		}
	}
}

// A queued failure caught with pcall is handled: a later failure is
// reported as its own task's.
func TestPipelinedFailureCaughtWithPcall(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	src := preamble(c, map[string]string{"h1": `"app"`}) + `
task("send", { pipelined = true }, function() run("exit 4") end)
task("catch", function()
  on(roles("app"), function()
    local ok, err = pcall(capture, "echo late")
    info("caught: " .. tostring(not ok))
    execute("echo again")
  end)
end)
task("fail", function() run("exit 5") end)`
	r := runLuacap(t, c, src, nil, "send", "catch", "fail")
	if r.Code != 1 || !strings.Contains(r.Stderr, "task fail failed: ") || !strings.Contains(r.Stdout, "caught: true") ||
		!strings.Contains(r.Stdout, "h1 | again") {
		t.Errorf("exit %d; want the run to fail in task fail after catching send's failure:\n%s", r.Code, r.Output())
	}
}
