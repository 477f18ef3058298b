package spec

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// Attacks on rsync(): the program rsync runs as its remote shell (luacap
// itself, over the open connection) and the `-e ssh ...` it runs when the
// connection cannot carry it.

// webHosts is the preamble with every host in the role web.
func webHosts(c *harness.Cluster) string {
	roles := map[string]string{}
	for _, h := range c.Hosts {
		roles[h.Name] = `"web"`
	}
	return preamble(c, roles)
}

// sendTask is a Deployfile, after preamble, whose task "send" runs hook,
// then copies the directory src into each of dsts on every host in web.
func sendTask(preamble, hook string, dsts ...string) string {
	var sends strings.Builder
	for _, d := range dsts {
		sends.WriteString("    rsync(fetch(\"src\"), " + luaString(d) + ")\n")
	}
	return preamble + `
task("send", function()
  ` + hook + `
  on(roles("web"), function()
` + sends.String() + `  end)
end)
`
}

// sendSource writes a source directory with one file beside the
// Deployfile in dir and returns its path.
func sendSource(t *testing.T, dir string) string {
	t.Helper()
	src := filepath.Join(dir, "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "f"), []byte("sent\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return src
}

// luacap's binary removed, or replaced by another program (an upgrade
// while a deploy runs), before rsync() starts its helper: the helper is
// still the running luacap, and the files go over the open connection.
func TestAttackRsyncAfterLuacapsBinaryIsRemovedOrReplaced(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	h := c.Hosts[0]
	for _, tc := range []struct{ name, hook string }{
		{"removed", `rm -f "$BIN"`},
		{"replaced", `printf '#!/bin/sh\necho not luacap >&2; exit 3\n' > "$BIN.new" && chmod +x "$BIN.new" && mv "$BIN.new" "$BIN"`},
	} {
		bin := filepath.Join(t.TempDir(), "luacap")
		if err := copyFile(luacap, bin, 0o755); err != nil {
			t.Fatal(err)
		}
		dir := harness.WriteDeployfile(t, sendTask(webHosts(c), `run_locally(`+luaString(tc.hook)+`)`, "/var/www/"+tc.name))
		r := harness.Run(t, bin, dir, c.Home(), []string{"BIN=" + bin}, "send", "-v", "-s", "src="+sendSource(t, dir))
		if r.Code != 0 || !strings.Contains(r.Stdout, "rsync over luacap's connection") {
			t.Errorf("binary %s: exit %d, want 0 and the files over the open connection:\n%s", tc.name, r.Code, tail(r.Output(), 10))
			continue
		}
		if got := readString(t, h.Path("/var/www/"+tc.name+"/f")); got != "sent\n" {
			t.Errorf("binary %s: f = %q", tc.name, got)
		}
	}
}

func copyFile(from, to string, mode os.FileMode) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, mode)
}

// noSocketDir is a TMPDIR no socket can be made in, a file, short
// enough that luacap does not choose /tmp instead: rsync() then runs
// `-e ssh ...`, a new ssh process.
func noSocketDir(t *testing.T) string {
	t.Helper()
	f, err := os.CreateTemp("", "file")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	t.Cleanup(func() { os.Remove(f.Name()) })
	return f.Name()
}

// With the key, known_hosts, ssh_config and agent socket at paths ssh's
// own option parser would split, unquote, cut or expand (a space, a tab,
// a new line, quotes, a backslash, #, %), rsync's new ssh process reads
// the very files luacap read: it logs in and checks the host's key
// against them.
func TestAttackRsyncByANewSSHProcessWithHostileClientFiles(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	h := c.Hosts[0]
	base, err := os.MkdirTemp("", "h") // short: the agent's socket is reached through it
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	files := filepath.Join(base, "a b'c\"%h\t$x#\\\n")
	if err := os.Mkdir(files, 0o700); err != nil {
		t.Fatal(err)
	}
	key, kh, cfg, agent := filepath.Join(files, "id"), filepath.Join(files, "kh"), filepath.Join(files, "cfg"), filepath.Join(files, "agent")
	for from, to := range map[string]string{c.ClientKey: key, c.KnownHosts: kh} {
		if err := copyFile(from, to, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	conf := fmt.Sprintf("Host h1\n  HostName %s\n  Port %d\n  User root\n", h.Addr, h.Port)
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(harness.StartAgent(t, c.ClientKey), agent); err != nil {
		t.Fatal(err)
	}
	keys := `keys = { ` + luaString(strings.ReplaceAll(key, "%", "%%")) + ` }, ` // luacap expands ssh's tokens in keys
	for _, tc := range []struct{ name, keys, agent string }{
		{"a key", keys, ""},
		{"an agent", "", agent},
	} {
		opts := `set("ssh_options", { ` + tc.keys + `known_hosts = { ` + luaString(kh) + ` }, config = ` + luaString(cfg) + ` })
server("h1", { roles = { "web" } })`
		dir := harness.WriteDeployfile(t, sendTask(opts, "", "/var/www/"+tc.name))
		env := []string{"TMPDIR=" + noSocketDir(t), "SSH_AUTH_SOCK=" + tc.agent}
		r := harness.Run(t, luacap, dir, c.Home(), env, "send", "-v", "-s", "src="+sendSource(t, dir))
		if r.Code != 0 || !strings.Contains(r.Stdout, "rsync over a new ssh process") {
			t.Errorf("%s: exit %d, want 0 and the files sent by a new ssh process:\n%s", tc.name, r.Code, tail(r.Output(), 10))
			continue
		}
		if got := readString(t, h.Path("/var/www/"+tc.name+"/f")); got != "sent\n" {
			t.Errorf("%s: f = %q", tc.name, got)
		}
	}
}

// A host at an IPv6 address: rsync's new ssh process reaches it too
// (rsync reads a bare address's first colon as the end of the host).
func TestAttackRsyncByANewSSHProcessToAnIPv6Host(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 0, harness.Options{})
	h, err := c.AddHost("h1", "::1", 0, "", harness.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WriteClientFiles(); err != nil {
		t.Fatal(err)
	}
	dir := harness.WriteDeployfile(t, sendTask(webHosts(c), "", "/var/www/v6"))
	r := harness.Run(t, luacap, dir, c.Home(), []string{"TMPDIR=" + noSocketDir(t)}, "send", "-v", "-s", "src="+sendSource(t, dir))
	if r.Code != 0 || !strings.Contains(r.Stdout, "rsync over a new ssh process") {
		t.Fatalf("exit %d, want 0 and the files sent by a new ssh process:\n%s", r.Code, tail(r.Output(), 10))
	}
	if got := readString(t, h.Path("/var/www/v6/f")); got != "sent\n" {
		t.Errorf("f = %q", got)
	}
}

// RSYNC_OLD_ARGS, which a user may export for scripts of their own, has
// rsync pass the remote directory to the remote shell as it is: rsync()
// still sends into a directory with a space, a quote and a $ in its name.
func TestAttackRsyncWithRSYNCOLDARGSExported(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	h := c.Hosts[0]
	dst := "/var/www/a b/it's $HOME"
	dir := harness.WriteDeployfile(t, sendTask(webHosts(c), "", dst))
	for _, env := range [][]string{{"RSYNC_OLD_ARGS=1"}, {"RSYNC_OLD_ARGS=1", "TMPDIR=" + noSocketDir(t)}} {
		os.RemoveAll(h.Path(dst))
		r := harness.Run(t, luacap, dir, c.Home(), env, "send", "-s", "src="+sendSource(t, dir))
		if r.Code != 0 {
			t.Errorf("%s: exit %d:\n%s", env, r.Code, tail(r.Output(), 8))
			continue
		}
		if got := readString(t, h.Path(dst+"/f")); got != "sent\n" {
			t.Errorf("%s: f = %q", env, got)
		}
	}
}

// The new ssh process hands its command to the deploy user's login shell:
// rsync() reaches the host that way under each login shell, into a
// directory whose name a shell would read (a space, quotes, $, a glob),
// and makes the directory's missing parent.
func TestAttackRsyncByANewSSHProcessUnderEachLoginShell(t *testing.T) {
	onEachLoginShell(t, func(t *testing.T, c *harness.Cluster) {
		h := c.Hosts[0]
		dst := "/var/www/new parent/it's \"$HOME\" *"
		dir := harness.WriteDeployfile(t, sendTask(webHosts(c), "", dst))
		r := harness.Run(t, luacap, dir, c.Home(), []string{"TMPDIR=" + noSocketDir(t)}, "send", "-v", "-s", "src="+sendSource(t, dir))
		if r.Code != 0 || !strings.Contains(r.Stdout, "rsync over a new ssh process") {
			t.Fatalf("exit %d, want 0 and the files sent by a new ssh process:\n%s", r.Code, tail(r.Output(), 10))
		}
		if got := readString(t, h.Path(dst+"/f")); got != "sent\n" {
			t.Errorf("f = %q", got)
		}
	})
}

// A remote directory under ~/ is in the deploy user's home, over the
// connection as by a new ssh process (whose rsync gets the names in its
// protocol, out of a shell's reach), with its missing parent made there:
// no directory named ~ appears.
func TestAttackRsyncIntoTheHomeDirectory(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	h := c.Hosts[0]
	for _, how := range []string{"connection", "new ssh process"} {
		var env []string
		if how == "new ssh process" {
			env = []string{"TMPDIR=" + noSocketDir(t)}
		}
		dst := "~/by " + how + "/app"
		dir := harness.WriteDeployfile(t, sendTask(webHosts(c), "", dst))
		r := harness.Run(t, luacap, dir, c.Home(), env, "send", "-v", "-s", "src="+sendSource(t, dir))
		if r.Code != 0 || !strings.Contains(r.Stdout, "rsync over a "+how) && !strings.Contains(r.Stdout, "rsync over luacap's "+how) {
			t.Errorf("%s: exit %d, want 0 and the files sent over the %s:\n%s", how, r.Code, how, tail(r.Output(), 10))
			continue
		}
		if got, err := os.ReadFile(filepath.Join(h.Home(), "by "+how, "app", "f")); string(got) != "sent\n" {
			t.Errorf("%s: f in the home directory = %q, %v", how, got, err)
		}
	}
	if _, err := os.Stat(filepath.Join(h.Home(), "~")); err == nil {
		t.Error("a directory named ~ was made in the home directory")
	}
}

// rsync() sends into directories whose names hold a new line, bytes that
// are not UTF-8, quotes, $, a backtick, glob characters or a leading
// dash, over the connection as by a new ssh process: the files land in
// the directory named, its missing parent made.
func TestAttackRsyncIntoHostileDirectoryNames(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	h := c.Hosts[0]
	names := []string{"new\nline", "not utf-8 \xff\xfe\xc3(", "q'\"`$x` * ? [a] ~", "-dash"}
	for _, how := range []string{"connection", "new ssh process"} {
		var env []string
		if how == "new ssh process" {
			env = []string{"TMPDIR=" + noSocketDir(t)}
		}
		var dsts []string
		for _, n := range names {
			dsts = append(dsts, "/var/www/"+how+"/"+n+"/d")
		}
		dir := harness.WriteDeployfile(t, sendTask(webHosts(c), "", dsts...))
		r := harness.Run(t, luacap, dir, c.Home(), env, "send", "-s", "src="+sendSource(t, dir))
		if r.Code != 0 {
			t.Errorf("%s: exit %d:\n%s", how, r.Code, tail(r.Output(), 8))
			continue
		}
		for _, d := range dsts {
			if got, err := os.ReadFile(h.Path(d + "/f")); string(got) != "sent\n" {
				t.Errorf("%s: %q: f = %q, %v", how, d, got, err)
			}
		}
	}
}
