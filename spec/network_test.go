package spec

import (
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/luacap/luacap/spec/harness"
)

func TestProxyJump(t *testing.T) {
	t.Parallel()
	c := harness.StartBehindJump(t)
	inner := c.Host("inner")
	if conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", inner.Port), time.Second); err == nil {
		conn.Close()
		t.Fatal("the inner host is reachable without the jump host; the test proves nothing")
	}
	src := preamble(c, map[string]string{"inner": `"app"`}) + `
task("deep", function() on(roles("app"), function() execute("echo inside > /var/www/reached; echo reached") end) end)`
	r := runLuacap(t, c, src, nil, "deep")
	mustSucceed(t, r)
	if b, err := os.ReadFile(inner.Path("/var/www/reached")); err != nil || string(b) != "inside\n" {
		t.Errorf("inner host: %q, %v", b, err)
	}
	if got := c.Host("jump").Connections(); got != 1 {
		t.Errorf("the jump host saw %d connections, want 1", got)
	}

	// A chain: through the jump host, then through it again from inside.
	f, err := os.OpenFile(c.SSHConfig, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "Host chained\n  HostName 127.0.0.1\n  Port %d\n  User root\n  IdentityFile %s\n  UserKnownHostsFile %s\n  ProxyJump jump,jump\n",
		inner.Port, c.ClientKey, c.KnownHosts)
	f.Close()
	chained := strings.Replace(src, `server("inner"`, `server("chained"`, 1)
	mustSucceed(t, runLuacap(t, c, chained, nil, "deep"))
	if got := c.Host("jump").Connections(); got != 3 {
		t.Errorf("after a two-hop chain the jump host saw %d connections, want 3", got)
	}
}

func TestAgentForwarding(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	if err := c.WriteAgentOnlyConfig(); err != nil {
		t.Fatal(err)
	}
	sock := harness.StartAgent(t, c.ClientKey)
	b := c.Host("h2")
	src := preamble(c, map[string]string{"h1": `"app"`}) + fmt.Sprintf(`
set("ssh_options", { config = "`+c.SSHConfig+`", forward_agent = true })
task("hop", function()
  on(roles("app"), function()
    -- twice: sshd forwards the agent once per connection, to every session after
    execute("ssh -o BatchMode=yes -o UserKnownHostsFile=%[1]s -p %[2]d root@127.0.0.1 'touch /var/www/from-h1'")
    execute("ssh -o BatchMode=yes -o UserKnownHostsFile=%[1]s -p %[2]d root@127.0.0.1 'touch /var/www/again-from-h1'")
  end)
end)`, c.KnownHosts, b.Port)
	r := runLuacap(t, c, src, []string{"SSH_AUTH_SOCK=" + sock}, "hop")
	mustSucceed(t, r)
	if _, err := os.Stat(b.Path("/var/www/again-from-h1")); err != nil {
		t.Errorf("the second command on h1 lost the forwarded agent: %v", err)
	}
	if _, err := os.Stat(b.Path("/var/www/from-h1")); err != nil {
		t.Errorf("h1 did not reach h2 with the forwarded agent: %v\n%s", err, r.Output())
	}
	// Without the agent there is no key at all: a clear failure.
	r = runLuacap(t, c, src, nil, "hop")
	if r.Code != 1 || !strings.Contains(r.Stderr, "h1: connecting: no key to log in with: start ssh-agent") {
		t.Errorf("without an agent: exit %d\n%s", r.Code, r.Output())
	}
}
