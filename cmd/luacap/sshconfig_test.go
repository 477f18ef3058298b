package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runSSHConfig(t *testing.T, deployfile string, args ...string) (int, string, string) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("SSH_AUTH_SOCK", "")
	cfg := filepath.Join(dir, "ssh_config")
	os.WriteFile(cfg, []byte("Host web1\n  HostName 10.0.0.5\n  User fromconfig\n  IdentityFile ~/.ssh/web\nHost *\n  ProxyJump gate\n"), 0o600)
	df := filepath.Join(dir, "Deployfile.lua")
	os.WriteFile(df, []byte(strings.ReplaceAll(deployfile, "CFG", cfg)), 0o600)
	var out, errb strings.Builder
	code := run(append([]string{"-f", df}, args...), stdio{out: &out, err: &errb}, map[string]string{})
	return code, out.String(), errb.String()
}

func TestSSHConfigShowsWhatLuacapUses(t *testing.T) {
	tests := []struct {
		name, deployfile string
		args             []string
		code             int
		want             []string // lines of stdout, or pieces of stderr when code != 0
	}{
		{"a server: its user, port and ssh_options win", `
set("ssh_options", { config = "CFG", forward_agent = true })
server("web1", { user = "deploy", port = 2222, ssh_options = { proxy_jump = "none" } })`,
			[]string{"ssh-config", "web1"}, 0,
			[]string{"# server web1 of the Deployfile", "hostname 10.0.0.5", "user deploy", "port 2222", "identityfile ~/.ssh/web", "forwardagent yes"}},
		{"not a server: ssh_config with the Deployfile's options", `set("ssh_options", { config = "CFG" })`,
			[]string{"ssh-config", "ops@other"}, 0,
			[]string{"hostname other", "user ops", "port 22", "proxyjump gate", "identityfile ~/.ssh/id_ed25519"}},
		{"a value of the wrong type", `set("ssh_options", { config = "CFG", port = "abc" })`,
			[]string{"ssh-config", "web1"}, 2, []string{`ssh_options.port must be a number from 1 to 65535, not "abc"`}},
		{"no host", `set("ssh_options", { config = "CFG" })`, []string{"ssh-config"}, 2, []string{"usage: luacap [stage] ssh-config HOST"}},
	}
	for _, tt := range tests {
		code, out, errs := runSSHConfig(t, tt.deployfile, tt.args...)
		if code != tt.code {
			t.Errorf("%s: exit %d, want %d\n%s%s", tt.name, code, tt.code, out, errs)
			continue
		}
		lines := strings.Split(out, "\n")
		for _, w := range tt.want {
			if tt.code == 0 && !contains(lines, w) || tt.code != 0 && !strings.Contains(errs, w) {
				t.Errorf("%s: no %q in\n%s%s", tt.name, w, out, errs)
			}
		}
		if tt.code == 0 && (contains(lines, "proxyjump gate") == (tt.args[1] == "web1")) {
			t.Errorf("%s: per-server proxy_jump = \"none\" not applied, or the config's lost:\n%s", tt.name, out)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
