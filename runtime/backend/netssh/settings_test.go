package netssh

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/transport"
)

// parsed is ssh_options as the engine hands them over: read once.
func parsed(t *testing.T, opts map[string]any) transport.Options {
	t.Helper()
	o, err := transport.ParseOptions(opts)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func writeConfig(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	extra := filepath.Join(dir, "extra.conf")
	if err := os.WriteFile(extra, []byte("Host web1\n  ServerAliveInterval 7\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := "Include " + extra + "\n" + `
Host web1
  HostName 10.0.0.5
  User deploy
  Port 2222
  IdentityFile ~/.ssh/deploy_key
  IdentitiesOnly yes
  ProxyJump bastion@gate:2200,inner
  StrictHostKeyChecking accept-new
  UserKnownHostsFile ~/kh

Host *
  ForwardAgent yes
`
	path := filepath.Join(dir, "config")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestResolveFromSSHConfig(t *testing.T) {
	path := writeConfig(t)
	home := os.Getenv("HOME")
	t.Setenv("SSH_AUTH_SOCK", "/agent.sock")
	want := Settings{
		Name: "web1", Hostname: "10.0.0.5", Port: 2222, User: "deploy",
		IdentityFiles: []string{home + "/.ssh/deploy_key"}, namedKeys: true, IdentitiesOnly: true, AgentSocket: "/agent.sock",
		ProxyJump: []string{"bastion@gate:2200", "inner"}, KnownHosts: []string{home + "/kh"},
		GlobalKnownHosts: []string{"/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"},
		StrictHostKey:    "accept-new", ConnectTimeout: defaultConnectTimeout, KeepAlive: 7 * time.Second,
		KeepAliveMax: defaultKeepAliveMax, ForwardAgent: true,
	}
	s, err := Resolve("web1", "web1", "", 0, parsed(t, map[string]any{"config": path}))
	if err != nil {
		t.Fatal(err)
	}
	s.cfg, s.opts = nil, transport.Options{}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("Resolve =\n%+v\nwant\n%+v", s, want)
	}
}

func TestDeployfileWinsOverSSHConfig(t *testing.T) {
	path := writeConfig(t)
	s, err := Resolve("web1", "web1", "root", 22, parsed(t, map[string]any{
		"config": path, "keys": []any{"/k"}, "forward_agent": false, "proxy_jump": "none",
		"strict_host_key_checking": "no", "timeout": float64(3), "command_timeout": float64(60),
	}))
	if err != nil {
		t.Fatal(err)
	}
	if s.User != "root" || s.Port != 22 || s.ForwardAgent || s.ProxyJump != nil || s.StrictHostKey != "no" ||
		!reflect.DeepEqual(s.IdentityFiles, []string{"/k"}) || s.ConnectTimeout != 3*time.Second || s.CommandTimeout != time.Minute {
		t.Errorf("Deployfile values did not win: %+v", s)
	}
	hops, err := (Settings{ProxyJump: []string{"ops@gate:2200"}, opts: transport.Options{NoConfig: true, Keys: []string{"/k"}}}).hops()
	if err != nil || len(hops) != 1 || hops[0].User != "ops" || hops[0].Port != 2200 || hops[0].Hostname != "gate" ||
		!reflect.DeepEqual(hops[0].IdentityFiles, []string{"/k"}) {
		t.Errorf("hops = %+v, %v", hops, err)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		opts map[string]any
		want string
	}{
		{map[string]any{"forward_agent": true}, ""},
		{map[string]any{"forward_agnet": true}, `ssh_options: "forward_agnet" is not an option; the options are config, user, port, keys, identities_only, forward_agent, proxy_jump, known_hosts, strict_host_key_checking, timeout, keepalive_interval, keepalive_count_max, command_timeout`},
		{map[string]any{"strict_host_key_checking": "ask"}, `ssh_options.strict_host_key_checking must be "yes", "accept-new" or "no", not "ask"`},
	}
	for _, tt := range tests {
		got := ""
		if _, err := transport.ParseOptions(tt.opts); err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("ParseOptions(%v) = %q, want %q", tt.opts, got, tt.want)
		}
	}
	if _, err := Resolve("x", "x", "", 0, parsed(t, map[string]any{"config": "/nope/config"})); err == nil {
		t.Error("a named ssh_config that does not exist gave no error")
	}
}

func TestAddressForExternalTools(t *testing.T) {
	path := writeConfig(t)
	home := os.Getenv("HOME")
	h := &host.Host{Name: "web1", Hostname: "web1"}
	t.Setenv("SSH_AUTH_SOCK", "")
	a, err := Transport{}.Address(h, parsed(t, map[string]any{"config": path}))
	if err != nil {
		t.Fatal(err)
	}
	args, dest := a.SSHCommand(), a.Destination()
	want := []string{"ssh", "-p", "2222", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=accept-new",
		"-o", "UserKnownHostsFile=" + home + "/kh", "-o", "GlobalKnownHostsFile=/etc/ssh/ssh_known_hosts /etc/ssh/ssh_known_hosts2",
		"-F", path, "-o", "IdentityFile=" + home + "/.ssh/deploy_key", "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none",
		"-J", "bastion@gate:2200,inner"}
	if !reflect.DeepEqual(args, want) || dest != "deploy@10.0.0.5" {
		t.Errorf("SSHCommand =\n%q %q\nwant\n%q deploy@10.0.0.5", args, dest, want)
	}
}

func TestKeepaliveFindsASilentHostWithin30sByDefault(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	cfg := filepath.Join(dir, "config")
	if err := os.WriteFile(cfg, []byte("Host tuned\n  ServerAliveInterval 7\n  ServerAliveCountMax 5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		host      string
		opts      map[string]any
		interval  time.Duration
		count     int
		detection time.Duration
	}{
		{"defaults", "plain", map[string]any{"config": cfg}, 10 * time.Second, 3, 30 * time.Second},
		{"ssh_config wins", "tuned", map[string]any{"config": cfg}, 7 * time.Second, 5, 35 * time.Second},
		{"ssh_options win", "tuned", map[string]any{"config": cfg, "keepalive_interval": float64(2), "keepalive_count_max": float64(4)},
			2 * time.Second, 4, 8 * time.Second},
		{"one try still waits a reply's interval", "plain", map[string]any{"config": cfg, "keepalive_count_max": float64(1)},
			10 * time.Second, 1, 20 * time.Second},
	}
	for _, tt := range tests {
		s, err := Resolve(tt.host, tt.host, "", 0, parsed(t, tt.opts))
		if err != nil {
			t.Fatal(err)
		}
		if s.KeepAlive != tt.interval || s.KeepAliveMax != tt.count {
			t.Errorf("%s: keepalive %v × %d, want %v × %d", tt.name, s.KeepAlive, s.KeepAliveMax, tt.interval, tt.count)
		}
		if got := silenceLimit(s.KeepAlive, s.KeepAliveMax); got != tt.detection {
			t.Errorf("%s: a silent host is found after %v, want %v", tt.name, got, tt.detection)
		}
	}
}
