// Package netssh is the SSH backend: one connection per host for the
// whole run, shared by exec sessions and sftp, verified against
// known_hosts, configured from ssh_config like the ssh command.
package netssh

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/luacap/luacap/runtime/transport"
)

// Settings is everything needed to reach one host, expanded.
type Settings struct {
	Name             string // as declared; errors name the host by it
	Hostname         string // to dial (ssh_config HostName applied)
	Port             int
	User             string
	IdentityFiles    []string
	namedKeys        bool // IdentityFiles were named, not ssh's defaults
	Certificates     []string
	IdentitiesOnly   bool
	AgentSocket      string   // "": no agent
	ProxyJump        []string // hops, first dialled first
	ProxyCommand     string   // run with sh -c as the transport; "": none
	KnownHosts       []string // UserKnownHostsFile: accept-new writes the first
	GlobalKnownHosts []string
	StrictHostKey    string // "yes", "accept-new" or "no"
	ConnectTimeout   time.Duration
	KeepAlive        time.Duration // 0: none
	KeepAliveMax     int
	CommandTimeout   time.Duration // 0: none
	ForwardAgent     bool
	cfg              *sshConfig
	opts             transport.Options
}

// Defaults when neither the Deployfile nor ssh_config says otherwise.
// The keepalive keeps NAT and firewalls from dropping an idle run, and
// finds a silent host (down, or its route dropped) within interval ×
// max: 30 s, after which a run that lost a host ends within one connect
// timeout more.
const (
	defaultConnectTimeout = 30 * time.Second
	defaultKeepAlive      = 10 * time.Second
	defaultKeepAliveMax   = 3
)

// defaultIdentities are tried, when they exist, if nothing names a key.
var defaultIdentities = []string{"~/.ssh/id_ed25519", "~/.ssh/id_ecdsa", "~/.ssh/id_rsa"}

// Resolve builds the Settings for host name with hostname, user and port
// as declared (empty or 0 when not), opts from the Deployfile, and the
// ssh_config files. server() values win over ssh_options, which win over
// ssh_config.
func Resolve(name, hostname, user string, port int, o transport.Options) (Settings, error) {
	cfg, err := loadSSHConfig(o, newConfigReader())
	if err != nil {
		return Settings{}, err
	}
	return cfg.settings(name, hostname, user, port, o)
}

// Lookup is the HostConfig luacap uses for a host, for luacap
// ssh-config: what Resolve dials, shown as ssh -G shows it.
func Lookup(hostname, user string, port int, o transport.Options) (*HostConfig, error) {
	cfg, err := loadSSHConfig(o, newConfigReader())
	if err != nil {
		return nil, err
	}
	return cfg.effective(hostname, user, port, o)
}

// effective is the host's ssh_config with the Deployfile over it. A
// declared user or port is known before ssh_config is read, as ssh -l
// and -p are, so Match user and %r see it.
func (c *sshConfig) effective(hostArg, user string, port int, o transport.Options) (*HostConfig, error) {
	hc, err := c.host(hostArg, firstNonEmpty(user, o.User), firstInt(port, o.Port))
	if err != nil {
		return nil, err
	}
	applyOptions(o, hc)
	return hc, nil
}

// applyOptions puts what the Deployfile set over hc, and luacap's own
// defaults where neither says.
func applyOptions(o transport.Options, hc *HostConfig) {
	if len(o.Keys) > 0 {
		hc.IdentityFiles = o.Keys
	}
	if len(hc.IdentityFiles) == 0 {
		hc.IdentityFiles = defaultIdentities
	}
	setBool(&hc.IdentitiesOnly, o.IdentitiesOnly)
	setBool(&hc.ForwardAgent, o.ForwardAgent)
	if o.ProxyJump != "" {
		hc.ProxyJump, hc.ProxyCommand = o.ProxyJump, ""
	}
	if len(o.KnownHosts) > 0 {
		hc.UserKnownHosts = make([]string, len(o.KnownHosts))
		for i, f := range o.KnownHosts {
			hc.UserKnownHosts[i] = expandTilde(f)
		}
	}
	switch o.StrictHostKey {
	case "yes":
		hc.StrictHostKey = "true"
	case "no":
		hc.StrictHostKey = "false"
	case "accept-new":
		hc.StrictHostKey = "accept-new"
	}
	hc.ConnectTimeout = seconds(hc.ConnectTimeout, o.Timeout, defaultConnectTimeout)
	hc.ServerAliveInterval = seconds(hc.ServerAliveInterval, o.KeepAliveInterval, defaultKeepAlive)
	if o.KeepAliveCountMax != nil {
		hc.ServerAliveCountMax = *o.KeepAliveCountMax
	}
}

// seconds: a Deployfile value over ssh_config's (-1: unset), else def.
// A connect timeout of 0 ("none") is luacap's default too.
func seconds(config int, opt *time.Duration, def time.Duration) int {
	if opt != nil && *opt > 0 {
		return int(*opt / time.Second)
	}
	if config < 0 || config == 0 && def == defaultConnectTimeout {
		return int(def / time.Second)
	}
	return config
}

func setBool(dst *bool, v *bool) {
	if v != nil {
		*dst = *v
	}
}

// settings expands the effective HostConfig into what Dial uses.
func (c *sshConfig) settings(name, hostArg, user string, port int, o transport.Options) (Settings, error) {
	hc, err := c.effective(hostArg, user, port, o)
	if err != nil {
		return Settings{}, err
	}
	s := Settings{Name: name, Hostname: hc.Hostname, Port: hc.Port, User: hc.User,
		IdentitiesOnly: hc.IdentitiesOnly, ForwardAgent: hc.ForwardAgent, KnownHosts: hc.UserKnownHosts,
		StrictHostKey: strictness(hc.StrictHostKey), ConnectTimeout: time.Duration(hc.ConnectTimeout) * time.Second,
		KeepAlive: time.Duration(hc.ServerAliveInterval) * time.Second, KeepAliveMax: hc.ServerAliveCountMax,
		namedKeys: len(o.Keys) > 0 || !sameList(hc.IdentityFiles, defaultIdentities), cfg: c, opts: o}
	if o.CommandTimeout != nil {
		s.CommandTimeout = *o.CommandTimeout
	}
	t := hostTokens(c.local, hc.Hostname, hc.HostArg, hc.User, hc.Port)
	if s.IdentityFiles, err = expandPaths(t, "IdentityFile", hc.IdentityFiles); err != nil {
		return Settings{}, err
	}
	if s.Certificates, err = expandPaths(t, "CertificateFile", hc.CertificateFiles); err != nil {
		return Settings{}, err
	}
	for _, g := range hc.GlobalKnownHosts {
		s.GlobalKnownHosts = append(s.GlobalKnownHosts, expandTilde(g))
	}
	s.AgentSocket = agentSocket(hc.IdentityAgent)
	if hc.ProxyJump != "" && hc.ProxyJump != "none" {
		s.ProxyJump = strings.Split(hc.ProxyJump, ",")
	}
	if hc.ProxyCommand != "" && hc.ProxyCommand != "none" {
		pt := proxyTokens(hc.Hostname, hc.HostArg, hc.User, hc.Port)
		if s.ProxyCommand, err = pt.expand(hc.ProxyCommand); err != nil {
			return Settings{}, fmt.Errorf("ProxyCommand %v", err)
		}
	}
	return s, nil
}

func expandPaths(t tokens, key string, files []string) ([]string, error) {
	if len(files) == 0 {
		return nil, nil
	}
	out := make([]string, len(files))
	for i, f := range files {
		p, err := t.expandPath(f)
		if err != nil {
			return nil, fmt.Errorf("%s %v", key, err)
		}
		out[i] = p
	}
	return out, nil
}

// agentSocket is the agent IdentityAgent names: SSH_AUTH_SOCK when unset.
func agentSocket(identityAgent string) string {
	switch identityAgent {
	case "", "SSH_AUTH_SOCK":
		return os.Getenv("SSH_AUTH_SOCK")
	case "none":
		return ""
	}
	return identityAgent
}

// hopOptions are the options a jump host inherits from the host it leads
// to: how to log in and how to check keys, not where it is.
func (s Settings) hopOptions() transport.Options {
	o := s.opts
	return transport.Options{Config: o.Config, NoConfig: o.NoConfig, Keys: o.Keys, IdentitiesOnly: o.IdentitiesOnly,
		KnownHosts: o.KnownHosts, StrictHostKey: o.StrictHostKey, Timeout: o.Timeout,
		KeepAliveInterval: o.KeepAliveInterval, KeepAliveCountMax: o.KeepAliveCountMax}
}

// Addr is host:port to dial.
func (s Settings) Addr() string {
	return netJoin(s.Hostname, s.Port)
}

func strictness(v string) string {
	switch v {
	case "false":
		return "no"
	case "accept-new":
		return "accept-new"
	}
	return "yes" // ssh's "ask" cannot ask mid-run; it refuses like "yes"
}

func home() string {
	if h := os.Getenv("HOME"); h != "" {
		return h
	}
	h, _ := os.UserHomeDir()
	return h
}

func netJoin(host string, port int) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + strconv.Itoa(port)
	}
	return host + ":" + strconv.Itoa(port)
}
