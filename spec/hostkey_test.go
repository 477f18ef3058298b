package spec

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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

// ownConfig writes an ssh_config for h1 with body under its Host block
// and after it, and a Deployfile that uses only that file.
func ownConfig(t *testing.T, c *harness.Cluster, hostBody, after string) string {
	t.Helper()
	h := c.Host("h1")
	cfg := filepath.Join(t.TempDir(), "ssh_config")
	writeFile(t, cfg, fmt.Sprintf("Host h1\n  HostName %s\n  Port %d\n  User root\n  IdentityFile %s\n  IdentitiesOnly yes\n%s\n%s",
		h.Addr, h.Port, c.ClientKey, hostBody, after))
	return fmt.Sprintf("set(\"ssh_options\", { config = %q })\nserver(\"h1\", { roles = { \"app\" } })\n", cfg) + touchTask
}

func knownLine(t *testing.T, h *harness.Host, key ssh.PublicKey) string {
	t.Helper()
	return knownhosts.Line([]string{fmt.Sprintf("[%s]:%d", h.Addr, h.Port)}, key) + "\n"
}

func otherKey(t *testing.T) ssh.PublicKey {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// expectChanged: refused loudly, nothing ran, known_hosts untouched.
func expectChanged(t *testing.T, c *harness.Cluster, r harness.Result, file, content string) {
	t.Helper()
	if r.Code != 1 || !strings.Contains(r.Stderr, "HOST KEY CHANGED for 127.0.0.1:") || !strings.Contains(r.Stderr, "ssh-keygen -R '[127.0.0.1]:") {
		t.Errorf("exit %d, want a loud refusal:\n%s", r.Code, r.Output())
	}
	if got, _ := os.ReadFile(file); string(got) != content {
		t.Errorf("%s was changed to %q", file, got)
	}
	if _, err := os.Stat(c.Host("h1").Path("/var/www/reached")); err == nil {
		t.Error("the command ran on a host whose key changed")
	}
}

// The real key is named under Host h1, an attacker's key in a file named
// under Host *: only the first UserKnownHostsFile counts, as in ssh.
func TestKnownHostsOfALaterBlockAreNotTrusted(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	h := c.Host("h1")
	dir := t.TempDir()
	real, attacker := filepath.Join(dir, "real_known_hosts"), filepath.Join(dir, "attacker_known_hosts")
	realKnown := knownLine(t, h, otherKey(t)) // the host we reach now is not the one we know
	writeFile(t, real, realKnown)
	writeFile(t, attacker, knownLine(t, h, h.HostKey))
	src := ownConfig(t, c, "  UserKnownHostsFile "+real, "Host *\n  UserKnownHostsFile "+attacker+"\n")
	// OpenSSH refuses it too: the oracle for what "first value" means.
	cfg := strings.Split(src, "\"")[1]
	if out, err := exec.Command("ssh", "-F", cfg, "-o", "BatchMode=yes", "h1", "true").CombinedOutput(); err == nil {
		t.Fatalf("ssh itself accepted the attacker's key; the scenario is wrong:\n%s", out)
	}
	for _, strict := range []string{"", "accept-new", "no"} {
		body := src
		if strict != "" {
			body = strings.Replace(src, "config = ", fmt.Sprintf("strict_host_key_checking = %q, config = ", strict), 1)
		}
		expectChanged(t, c, runLuacap(t, c, body, nil, "touch"), real, realKnown)
	}
}

// GlobalKnownHostsFile is honoured: the key found there is trusted, and
// the first value wins there too.
func TestGlobalKnownHostsFileIsHonoured(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	h := c.Host("h1")
	dir := t.TempDir()
	empty, global, never := filepath.Join(dir, "user"), filepath.Join(dir, "global"), filepath.Join(dir, "never")
	writeFile(t, empty, "")
	writeFile(t, global, knownLine(t, h, h.HostKey))
	writeFile(t, never, "")
	src := ownConfig(t, c, "  UserKnownHostsFile "+empty+"\n  GlobalKnownHostsFile "+never+" "+global, "Host *\n  GlobalKnownHostsFile "+never+"\n")
	mustSucceed(t, runLuacap(t, c, src, nil, "touch"))
	if _, err := os.Stat(h.Path("/var/www/reached")); err != nil {
		t.Errorf("the command did not run: %v", err)
	}
	// Without it, the same key is unknown: the global file made the difference.
	src = ownConfig(t, c, "  UserKnownHostsFile "+empty+"\n  GlobalKnownHostsFile "+never, "")
	if r := runLuacap(t, c, src, nil, "touch"); r.Code != 1 || !strings.Contains(r.Stderr, "is not known") {
		t.Errorf("exit %d, want an unknown key:\n%s", r.Code, r.Output())
	}
}

// A host that now offers a key of another type than the known one is
// refused as changed, whatever StrictHostKeyChecking says.
func TestHostKeyOfAnotherTypeIsChanged(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	h := c.Host("h1")
	known := knownLine(t, h, h.HostKey) // ed25519
	if err := h.UseHostKeyType("rsa"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, c.KnownHosts, known)
	for _, strict := range []string{"", "accept-new", "no"} {
		r := runLuacap(t, c, hostKeyDeployfile(c, strict), nil, "touch")
		expectChanged(t, c, r, c.KnownHosts, known)
		if !strings.Contains(r.Stderr, "known_hosts has ssh-ed25519 "+ssh.FingerprintSHA256(knownKeyOf(t, known))) {
			t.Errorf("strict=%q: the error does not name the known key:\n%s", strict, r.Stderr)
		}
	}
}

func knownKeyOf(t *testing.T, line string) ssh.PublicKey {
	t.Helper()
	_, _, key, _, _, err := ssh.ParseKnownHosts([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	return key
}
