package spec

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/luacap/luacap/spec/harness"
)

const touchTask = `
task("touch", function() on(roles("app"), function() execute("touch /var/www/reached") end) end)
`

func hostKeyDeployfile(c *harness.Cluster, strict string) string {
	src := preamble(c, map[string]string{"h1": `"app"`}) + touchTask
	if strict != "" {
		src = strings.Replace(src, "config = ", fmt.Sprintf("strict_host_key_checking = %q, config = ", strict), 1)
	}
	return src
}

func TestUnknownHostKeyFailsClearly(t *testing.T) {
	c := harness.Start(t, 1, harness.Options{})
	h := c.Host("h1")
	writeFile(t, c.KnownHosts, "")
	r := runLuacap(t, c, hostKeyDeployfile(c, ""), nil, "touch")
	if r.Code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", r.Code, r.Output())
	}
	fp := ssh.FingerprintSHA256(h.HostKey)
	for _, want := range []string{
		fmt.Sprintf("h1: connecting: host key for 127.0.0.1:%d is not known: ssh-ed25519 %s", h.Port, fp),
		fmt.Sprintf("ssh-keyscan -p %d 127.0.0.1 >> %s", h.Port, c.KnownHosts),
		"StrictHostKeyChecking accept-new",
	} {
		if !strings.Contains(r.Stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.Stderr)
		}
	}
	if _, err := os.Stat(h.Path("/var/www/reached")); err == nil {
		t.Error("the command ran on a host whose key is unknown")
	}
}

func TestAcceptNewAddsTheKey(t *testing.T) {
	c := harness.Start(t, 1, harness.Options{})
	h := c.Host("h1")
	writeFile(t, c.KnownHosts, "")
	r := runLuacap(t, c, hostKeyDeployfile(c, "accept-new"), nil, "touch")
	mustSucceed(t, r)
	got, _ := os.ReadFile(c.KnownHosts)
	want := knownhosts.Line([]string{fmt.Sprintf("[127.0.0.1]:%d", h.Port)}, h.HostKey) + "\n"
	if string(got) != want {
		t.Errorf("known_hosts = %q, want %q", got, want)
	}
	if !strings.Contains(r.Stdout, "new host key "+ssh.FingerprintSHA256(h.HostKey)+" added to") {
		t.Errorf("the new key was not announced:\n%s", r.Stdout)
	}
	// The second run finds the key it added and says nothing of it.
	r = runLuacap(t, c, hostKeyDeployfile(c, "accept-new"), nil, "touch")
	mustSucceed(t, r)
	if strings.Contains(r.Stdout, "new host key") {
		t.Errorf("the key was added twice:\n%s", r.Stdout)
	}
}

func TestChangedHostKeyIsRefused(t *testing.T) {
	c := harness.Start(t, 1, harness.Options{})
	h := c.Host("h1")
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	other, _ := ssh.NewPublicKey(pub)
	stale := knownhosts.Line([]string{fmt.Sprintf("[127.0.0.1]:%d", h.Port)}, other) + "\n"
	writeFile(t, c.KnownHosts, stale)
	for _, strict := range []string{"", "accept-new", "no"} {
		r := runLuacap(t, c, hostKeyDeployfile(c, strict), nil, "touch")
		if r.Code != 1 || !strings.Contains(r.Stderr, "HOST KEY CHANGED for 127.0.0.1:") ||
			!strings.Contains(r.Stderr, "ssh-keygen -R '[127.0.0.1]:") {
			t.Errorf("strict=%q: exit %d, want a loud refusal:\n%s", strict, r.Code, r.Output())
		}
		if got, _ := os.ReadFile(c.KnownHosts); string(got) != stale {
			t.Errorf("strict=%q: known_hosts was changed to %q", strict, got)
		}
	}
	if _, err := os.Stat(h.Path("/var/www/reached")); err == nil {
		t.Error("the command ran on a host whose key changed")
	}
}

func TestStrictNoWarns(t *testing.T) {
	c := harness.Start(t, 1, harness.Options{})
	writeFile(t, c.KnownHosts, "")
	r := runLuacap(t, c, hostKeyDeployfile(c, "no"), nil, "touch")
	mustSucceed(t, r)
	if !strings.Contains(r.Stdout, "accepted without checking (StrictHostKeyChecking no)") {
		t.Errorf("no warning for an unchecked key:\n%s", r.Stdout)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
