package spec

import (
	"fmt"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/luacap/luacap/spec/harness"
)

// A host lost in the middle of deploy:update, by each way a host is lost:
// its sshd and every session killed (the port refuses), or its packets
// dropped with the connections left open (it falls silent). The run
// fails naming it and saying the connection was lost, the other hosts
// end on the release they had, and the lost host is dialled at most once
// after the loss, so undo and cleanup steps cost it no connect timeout
// each.
func TestHostLostMidDeployIsGivenUpAfterOneDial(t *testing.T) {
	t.Parallel()
	faults := []struct {
		name string
		lose func(h *harness.Host, p *harness.Proxy)
	}{
		{"sshd killed", func(h *harness.Host, _ *harness.Proxy) { h.Stop() }},
		{"packets dropped", func(_ *harness.Host, p *harness.Proxy) { p.Blackhole(true) }},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			c := harness.Start(t, 4, harness.Options{})
			proxies := proxyEveryHost(t, c)
			d := newDeployEnv(t, c, appDeployfile(c, fourApp, quickLossOptions(c)+slowFinalize))
			d.deploy("20260101000001")
			h3, p3 := c.Host("h3"), proxies["h3"]
			cmd, out := d.start("deployer", "deploy", "-s", "release_name=20260101000002")
			for _, h := range c.Hosts {
				waitForFile(t, h.Path("/var/www/finalized"))
			}
			before := p3.Accepted()
			f.lose(h3, p3)
			stop := time.AfterFunc(2*time.Minute, func() { cmd.Process.Kill() }) // a hang fails, not stalls
			cmd.Wait()
			stop.Stop()
			if code := cmd.ProcessState.ExitCode(); code != 1 {
				t.Fatalf("exit %d, want 1:\n%s", code, out.String())
			}
			if !regexpLostWhileRunning.MatchString(out.String()) {
				t.Errorf("the error does not name h3 and a lost connection:\n%s", out.String())
			}
			if !strings.Contains(out.String(), "h3: running") || !regexpUnreachable.MatchString(out.String()) {
				t.Errorf("the steps after the loss do not say h3 is unreachable and not retried:\n%s", out.String())
			}
			if got := p3.Accepted() - before; got > 1 {
				t.Errorf("h3 was dialled %d times after it was lost, want at most 1:\n%s", got, out.String())
			}
			expectStateOn(t, d, []string{"h1", "h2", "h4"}, "20260101000001", "20260101000001")
		})
	}
}

// regexpLostWhileRunning is how the command in flight on the lost host
// fails. It names the oldest command whose end h3 had not confirmed:
// the hook's sleep, or on a loaded machine a pipelined finalize_update
// step queued before it, whose end the dropped packets carried.
var regexpLostWhileRunning = regexp.MustCompile(`h3: running [^\n]*: the connection was lost while the command ran`)

// regexpUnreachable is how an undo or cleanup on the lost host fails:
// at once, saying since when and that it was not dialled again.
var regexpUnreachable = regexp.MustCompile(`h3: running [^\n]*: unreachable since \d\d:\d\d:\d\d \([^\n]*\); not retried`)

// slowFinalize holds the second deploy inside the transaction, after
// finalize_update, long enough to lose a host there.
const slowFinalize = `
after("deploy:finalize_update", function()
  if fetch("release_name") ~= "20260101000002" then return end
  on(roles("app"), function() execute("touch /var/www/finalized; sleep 5") end)
end)`

// quickLossOptions finds a silent host in 4 s and gives up dialling it
// after 8 s more, so the test is quick; a healthy host on a loaded
// machine (CI runs many scenarios at once) answers well within both.
func quickLossOptions(c *harness.Cluster) string {
	return fmt.Sprintf("set(\"ssh_options\", { config = %q, keepalive_interval = 2, keepalive_count_max = 2, timeout = 8 })\n",
		c.SSHConfig)
}

// proxyEveryHost puts a proxy in front of each host and points the
// cluster's ssh_config at the proxies.
func proxyEveryHost(t *testing.T, c *harness.Cluster) map[string]*harness.Proxy {
	t.Helper()
	proxies, ports := map[string]*harness.Proxy{}, map[string]int{}
	for _, h := range c.Hosts {
		p := harness.NewProxy(t, net.JoinHostPort(h.Addr, strconv.Itoa(h.Port)))
		proxies[h.Name], ports[h.Name] = p, p.Port()
	}
	if err := c.WriteClientFilesVia(ports); err != nil {
		t.Fatal(err)
	}
	return proxies
}

// expectStateOn is expectState for the named hosts only.
func expectStateOn(t *testing.T, d *deployEnv, names []string, current string, releases ...string) {
	t.Helper()
	for _, name := range names {
		h := d.c.Host(name)
		if got := d.current(h); got != current {
			t.Errorf("%s: current = %q, want %q", name, got, current)
		}
		if got := d.releases(h); strings.Join(got, ",") != strings.Join(releases, ",") {
			t.Errorf("%s: releases = %v, want %v", name, got, releases)
		}
		if _, err := os.Stat(h.Path(shop + "/.luacap.lock")); err == nil {
			t.Errorf("%s: the deploy lock was left behind", name)
		}
	}
}
