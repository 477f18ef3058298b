package spec

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// ProxyCommand is the transport: here ssh -W through h2, the cluster's
// other host, as a user would reach a host behind a bastion.
func TestProxyCommandIsTheTransport(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	h1, h2 := c.Host("h1"), c.Host("h2")
	proxy := fmt.Sprintf("ssh -F %s -o BatchMode=yes -W %%h:%%p h2", c.SSHConfig)
	src := ownConfig(t, c, "  ProxyCommand "+proxy+"\n  UserKnownHostsFile "+c.KnownHosts, "")
	mustSucceed(t, runLuacap(t, c, src, nil, "touch"))
	if _, err := os.Stat(h1.Path("/var/www/reached")); err != nil {
		t.Errorf("h1 was not reached: %v", err)
	}
	if !strings.Contains(h2.Log(), "Accepted publickey") {
		t.Errorf("h2 never saw the proxy's login: luacap did not go through the ProxyCommand:\n%s", h2.Log())
	}
}

// A ProxyCommand that fails: its own words are in the error.
func TestProxyCommandFailureSaysWhy(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	src := ownConfig(t, c, "  ProxyCommand sh -c 'echo no route to %h port %p >&2; exit 3'\n  UserKnownHostsFile "+c.KnownHosts, "")
	r := runLuacap(t, c, src, nil, "touch")
	want := fmt.Sprintf("no route to %s port %d", c.Host("h1").Addr, c.Host("h1").Port)
	if r.Code != 1 || !strings.Contains(r.Stderr, want) {
		t.Errorf("exit %d, want an error with %q:\n%s", r.Code, want, r.Output())
	}
}

// A certificate signed by a CA sshd trusts logs in, both beside its key
// (KEY-cert.pub) and named by CertificateFile; without it the same key
// is refused, so the certificate is what let it in.
func TestCertificateLogin(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	h := c.Host("h1")
	dir := t.TempDir()
	caPub, key, err := harness.NewUserCertificate(dir, "root")
	if err != nil {
		t.Fatal(err)
	}
	if err := h.TrustUserCA(caPub); err != nil {
		t.Fatal(err)
	}
	moved := filepath.Join(dir, "elsewhere-cert.pub")
	login := func(extra string) harness.Result {
		t.Helper()
		cfg := filepath.Join(t.TempDir(), "ssh_config")
		writeFile(t, cfg, fmt.Sprintf("Host h1\n  HostName %s\n  Port %d\n  User root\n  IdentityFile %s\n  IdentitiesOnly yes\n  UserKnownHostsFile %s\n%s",
			h.Addr, h.Port, key, c.KnownHosts, extra))
		return runLuacap(t, c, fmt.Sprintf("set(\"ssh_options\", { config = %q })\nserver(\"h1\", { roles = { \"app\" } })\n", cfg)+touchTask, nil, "touch")
	}
	mustSucceed(t, login(""))
	if err := os.Rename(key+"-cert.pub", moved); err != nil {
		t.Fatal(err)
	}
	mustSucceed(t, login("  CertificateFile "+moved+"\n"))
	if r := login(""); r.Code != 1 || !strings.Contains(r.Stderr, "authentication refused") {
		t.Errorf("without the certificate: exit %d, want a refusal:\n%s", r.Code, r.Output())
	}
}
