package spec

import (
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

func TestFiftyCommandsUseOneConnection(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	h := c.Host("h1")
	src := preamble(c, map[string]string{"h1": `"app"`}) + `
task("fifty", function()
  on(roles("app"), function()
    for i = 1, 25 do execute("true") end
    for i = 1, 10 do capture("echo " .. i) end
    for i = 1, 10 do test("[ -d /var/www ]") end
    put("x", "/var/www/put")
    upload("Deployfile.lua", "/var/www/uploaded")
    download("/var/www/uploaded", "downloaded")
    within("/var/www", function() execute("ls") end)
  end)
  run("true")
end)`
	mustSucceed(t, runLuacap(t, c, src, nil, "fifty", "-q"))
	if got := h.Connections(); got != 1 {
		t.Errorf("50 commands and 3 transfers opened %d TCP connections, want 1", got)
	}
}

func TestIdleConnectionOutlivesServerKeepalive(t *testing.T) {
	t.Parallel()
	// The server drops a client that misses 2 keepalives 1 s apart; luacap
	// sits idle for 4 s in a local build between two commands.
	c := harness.Start(t, 1, harness.Options{ClientAliveInterval: 1, ClientAliveCountMax: 2})
	h := c.Host("h1")
	src := preamble(c, map[string]string{"h1": `"app"`}) + `
task("idle", function()
  on(roles("app"), function() execute("echo before") end)
  run_locally("sleep 4")
  on(roles("app"), function() execute("echo after") end)
end)`
	r := runLuacap(t, c, src, nil, "idle")
	mustSucceed(t, r)
	if got := h.Connections(); got != 1 {
		t.Errorf("the idle connection was dialled %d times, want 1 (it should have stayed up):\n%s", got, r.Stdout)
	}
}

func TestDroppedIdleConnectionIsDialledAgain(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	h := c.Host("h1")
	marker := h.Path("/var/www/connected")
	src := preamble(c, map[string]string{"h1": `"app"`}) + `
task("redial", function()
  on(roles("app"), function() execute("touch /var/www/connected") end)
  -- a firewall drops the connection while luacap builds locally
  run_locally("while [ ! -f ` + marker + ` ]; do sleep 0.05; done; sleep 0.2")
  run_locally("touch ` + c.Dir + `/drop-now; while [ ! -f ` + c.Dir + `/dropped ]; do sleep 0.05; done")
  on(roles("app"), function() execute("echo after the drop") end)
end)`
	go func() {
		waitForFile(t, c.Dir+"/drop-now")
		h.KillSessions()
		// luacap's side of the connection closed: it has seen the drop, so
		// the next command is one sent after it, not one the drop cut.
		waitClientClosed(t, h.Port)
		touch(t, c.Dir+"/dropped")
	}()
	r := runLuacap(t, c, src, nil, "redial")
	mustSucceed(t, r)
	if !strings.Contains(r.Stdout, "| after the drop\n") {
		t.Errorf("the command after the drop did not run:\n%s", r.Stdout)
	}
	if got := h.Connections(); got != 2 {
		t.Errorf("connections = %d, want 2 (one dropped, one dialled again)", got)
	}
}
