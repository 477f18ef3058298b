package netssh

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hostFrom resolves host through config text, as ssh -G -F would.
func hostFrom(t *testing.T, config, host string) (*HostConfig, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	return Lookup(host, "", 0, parsed(t, map[string]any{"config": path}))
}

func TestFirstValueWins(t *testing.T) {
	t.Setenv("HOME", "/home/u")
	config := `
Host web3
  User real
  Port 2203
  UserKnownHostsFile ~/real_known_hosts /second
  GlobalKnownHostsFile /g/real
  IdentityFile ~/.ssh/web3
  ProxyJump gate
Host *
  User other
  Port 22
  UserKnownHostsFile ~/attacker_known_hosts
  GlobalKnownHostsFile /g/attacker
  IdentityFile ~/.ssh/all
  ProxyCommand never
  ServerAliveInterval 0
`
	hc, err := hostFrom(t, config, "web3")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, got, want string }{
		{"user", hc.User, "real"},
		{"port", line(hc, "port"), "port 2203"},
		{"known hosts", strings.Join(hc.UserKnownHosts, " "), "/home/u/real_known_hosts /second"},
		{"global known hosts", strings.Join(hc.GlobalKnownHosts, " "), "/g/real"},
		{"identity files accumulate", strings.Join(hc.IdentityFiles, " "), "~/.ssh/web3 ~/.ssh/all"},
		{"proxy", hc.ProxyJump + "|" + hc.ProxyCommand, "gate|"},
		{"an explicit 0 is kept", line(hc, "serveraliveinterval"), "serveraliveinterval 0"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

func line(hc *HostConfig, key string) string {
	for _, l := range hc.Lines() {
		if strings.HasPrefix(l, key+" ") {
			return l
		}
	}
	return ""
}

// %C and the rest are compared with ssh -G by spec/ssh_config_oracle_test.go.
func TestTokenExpansion(t *testing.T) {
	loc := local{user: "me", home: "/home/me", uid: "1000", host: "laptop.lan", shortHost: "laptop"}
	tok := hostTokens(loc, "real.example", "alias", "deploy", 2222)
	tests := []struct{ in, want, err string }{
		{"%h:%p", "real.example:2222", ""},
		{"%r@%n", "deploy@alias", ""},
		{"%u %d %i", "me /home/me 1000", ""},
		{"%l %L %k", "laptop.lan laptop alias", ""},
		{"100%%", "100%", ""},
		{"~/k_%h", "/home/u/k_real.example", ""},
		{"%x", "", "%x is not a token here"},
		{"trailing %", "", "ends with a lone %"},
		{"${LUACAP_TEST_VAR}/s", "/from/env/s", ""},
		{"${LUACAP_TEST_UNSET}", "", "LUACAP_TEST_UNSET is not set"},
	}
	t.Setenv("HOME", "/home/u")
	t.Setenv("LUACAP_TEST_VAR", "/from/env")
	for _, tt := range tests {
		got, err := tok.expandPath(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("expand(%q) = %q, %v; want an error with %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("expand(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if got, _ := proxyTokens("h", "n", "r", 22).expand("%d"); got != "" {
		t.Errorf("ProxyCommand took %%d, a token ssh does not give it: %q", got)
	}
}

func TestConfigErrorsNameFileAndLine(t *testing.T) {
	tests := []struct{ config, want string }{
		{"Host a\n  Port abc\n", `:2: Port "abc" is not a port number`},
		{"Host a\n  User \"open\n", `:2: unbalanced " quote`},
		{"Match tagged x\n", `:1: Match tagged is not supported by luacap`},
		{"Match user\n", `:1: Match user needs a value`},
		{"Host a\n  StrictHostKeyChecking maybe\n", `:2: StrictHostKeyChecking must be`},
		{"Host a\n  ConnectTimeout soon\n", `:2: connecttimeout must be a time`},
		{"Host a\n  CanonicalizeHostname yes\n", `:2: CanonicalizeHostname yes is not supported`},
	}
	for _, tt := range tests {
		_, err := hostFrom(t, tt.config, "a")
		if err == nil || !strings.Contains(err.Error(), "config"+tt.want) {
			t.Errorf("%q: %v, want an error with %q", tt.config, err, tt.want)
		}
	}
}

func TestIncludeLoopIsAnError(t *testing.T) {
	dir := t.TempDir()
	self := filepath.Join(dir, "self")
	if err := os.WriteFile(self, []byte("Include "+self+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Lookup("a", "", 0, parsed(t, map[string]any{"config": self})); err == nil || !strings.Contains(err.Error(), "Include nested more than") {
		t.Errorf("an Include loop gave %v", err)
	}
}

func TestDeclaredUserIsSeenByMatch(t *testing.T) {
	hc, err := hostFrom(t, "Match user deploy\n  Port 2001\nHost *\n  User never\n", "a")
	if err != nil || hc.Port != 22 || hc.User == "deploy" {
		t.Fatalf("without a declared user: %+v, %v", hc, err)
	}
	path := filepath.Join(t.TempDir(), "config")
	os.WriteFile(path, []byte("Match user deploy\n  Port 2001\nHost *\n  User never\n"), 0o600)
	hc, err = Lookup("a", "deploy", 0, parsed(t, map[string]any{"config": path}))
	if err != nil || hc.Port != 2001 || hc.User != "deploy" {
		t.Errorf("server(user=deploy) is not seen by Match user, or lost to User: %+v, %v", hc, err)
	}
}
