// Package spec is luacap's executable specification: scenarios that run
// the luacap binary against real OpenSSH sshd hosts.
package spec

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

var luacap string // the binary under test

func TestMain(m *testing.M) {
	if missing := harness.Missing(); missing != "" {
		fmt.Fprintln(os.Stderr, "spec: "+missing+"; scripts/test installs it (as root, on Debian)")
		os.Exit(1)
	}
	dir, err := os.MkdirTemp("", "luacap-spec-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	luacap, err = harness.Build(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// preamble points luacap at the cluster's ssh_config, as a user's
// ~/.ssh/config would, and declares each host with roles.
func preamble(c *harness.Cluster, roles map[string]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "set(\"ssh_options\", { config = %q })\n", c.SSHConfig)
	for _, h := range c.Hosts {
		if r, ok := roles[h.Name]; ok {
			fmt.Fprintf(&b, "server(%q, { roles = { %s } })\n", h.Name, r)
		}
	}
	return b.String()
}

// runLuacap writes the Deployfile and runs luacap with args in its directory.
func runLuacap(t *testing.T, c *harness.Cluster, src string, extraEnv []string, args ...string) harness.Result {
	t.Helper()
	dir := harness.WriteDeployfile(t, src)
	return harness.Run(t, luacap, dir, c.Home(), extraEnv, args...)
}

func mustSucceed(t *testing.T, r harness.Result) {
	t.Helper()
	if r.Code != 0 {
		t.Fatalf("luacap exited %d:\n%s", r.Code, r.Output())
	}
}
