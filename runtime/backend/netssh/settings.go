// Package netssh is the SSH backend: one connection per host for the
// whole run, shared by exec sessions and sftp, verified against
// known_hosts, configured from ssh_config like the ssh command.
package netssh

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kevinburke/ssh_config"
)

// Settings is everything needed to reach one host.
type Settings struct {
	Name           string // as declared; errors name the host by it
	Hostname       string // to dial (ssh_config HostName applied)
	Port           int
	User           string
	IdentityFiles  []string
	IdentitiesOnly bool
	ProxyJump      []string // hops, first dialled first
	KnownHosts     []string
	StrictHostKey  string // "yes", "accept-new" or "no"
	ConnectTimeout time.Duration
	KeepAlive      time.Duration // 0: none
	KeepAliveMax   int
	CommandTimeout time.Duration // 0: none
	ForwardAgent   bool
	configFile     *ssh_config.Config
	opts           map[string]any
}

// OptionKeys are the keys of ssh_options a Deployfile may set.
var OptionKeys = []string{
	"config", "user", "port", "keys", "identities_only", "forward_agent", "proxy_jump",
	"known_hosts", "strict_host_key_checking", "timeout", "keepalive_interval",
	"keepalive_count_max", "command_timeout",
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

// Validate checks ssh_options keys and the type of each value.
func Validate(opts map[string]any) error {
	var bad []string
	for k := range opts {
		if !contains(OptionKeys, k) {
			bad = append(bad, fmt.Sprintf("%q", k))
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("ssh_options: %s is not an option; the options are %s", strings.Join(bad, ", "), strings.Join(OptionKeys, ", "))
	}
	if v, ok := opts["strict_host_key_checking"]; ok {
		if s := fmt.Sprint(v); s != "yes" && s != "accept-new" && s != "no" && s != "true" && s != "false" {
			return fmt.Errorf(`ssh_options: strict_host_key_checking must be "yes", "accept-new" or "no", not %q`, s)
		}
	}
	return nil
}

// Resolve builds the Settings for host name with hostname, user and port
// as declared (empty or 0 when not), opts from the Deployfile, and the
// ssh_config files. What the Deployfile says wins over ssh_config.
func Resolve(name, hostname, user string, port int, opts map[string]any) (Settings, error) {
	cfg, err := loadConfig(opts)
	if err != nil {
		return Settings{}, err
	}
	return resolveWith(cfg, name, hostname, user, port, opts), nil
}

// hopOptions are the options a jump host inherits from the host it leads
// to: how to log in and how to check keys, not where it is.
func (s Settings) hopOptions() map[string]any {
	out := map[string]any{}
	for _, k := range []string{"keys", "identities_only", "known_hosts", "strict_host_key_checking", "timeout", "keepalive_interval", "keepalive_count_max"} {
		if v, ok := s.opts[k]; ok {
			out[k] = v
		}
	}
	return out
}

func resolveWith(cfg *ssh_config.Config, name, hostname, user string, port int, opts map[string]any) Settings {
	get := func(key string) string { return configValue(cfg, hostname, key) }
	s := Settings{Name: name, Hostname: hostname, User: user, Port: port, configFile: cfg, opts: opts}
	if v := get("HostName"); v != "" {
		s.Hostname = strings.ReplaceAll(v, "%h", hostname)
	}
	if s.User == "" {
		s.User = firstNonEmpty(str(opts["user"]), get("User"), os.Getenv("USER"), "root")
	}
	if s.Port == 0 {
		s.Port = firstInt(num(opts["port"]), atoi(get("Port")), 22)
	}
	s.IdentityFiles = expandAll(firstList(list(opts["keys"]), configAll(cfg, hostname, "IdentityFile")))
	s.IdentitiesOnly = boolOpt(opts["identities_only"], get("IdentitiesOnly") == "yes")
	s.ForwardAgent = boolOpt(opts["forward_agent"], get("ForwardAgent") == "yes")
	if jump := firstNonEmpty(str(opts["proxy_jump"]), get("ProxyJump")); jump != "" && jump != "none" {
		s.ProxyJump = strings.Split(jump, ",")
	}
	s.KnownHosts = knownHostsFiles(opts, cfg, hostname)
	s.StrictHostKey = strictness(firstNonEmpty(str(opts["strict_host_key_checking"]), get("StrictHostKeyChecking")))
	s.ConnectTimeout = seconds(firstInt(num(opts["timeout"]), atoi(get("ConnectTimeout"))), defaultConnectTimeout)
	s.KeepAlive = seconds(firstInt(num(opts["keepalive_interval"]), atoi(get("ServerAliveInterval"))), defaultKeepAlive)
	s.KeepAliveMax = firstInt(num(opts["keepalive_count_max"]), atoi(get("ServerAliveCountMax")), defaultKeepAliveMax)
	s.CommandTimeout = seconds(num(opts["command_timeout"]), 0)
	return s
}

// Addr is host:port to dial.
func (s Settings) Addr() string {
	return netJoin(s.Hostname, s.Port)
}

// loadConfig reads the user's ssh_config (or opts.config; false for none)
// and the system one; a host's value is the first found, as in ssh.
func loadConfig(opts map[string]any) (*ssh_config.Config, error) {
	path := filepath.Join(home(), ".ssh", "config")
	switch v := opts["config"].(type) {
	case bool:
		if !v {
			return nil, nil
		}
	case string:
		path = expand(v)
	}
	files := []string{path, "/etc/ssh/ssh_config"}
	var merged *ssh_config.Config
	for i, f := range files {
		b, err := os.ReadFile(f)
		if os.IsNotExist(err) {
			if i == 0 && opts["config"] != nil {
				return nil, fmt.Errorf("ssh_options.config: %s does not exist", f)
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		c, err := ssh_config.DecodeBytes(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", f, err)
		}
		if merged == nil {
			merged = c
		} else {
			merged.Hosts = append(merged.Hosts, c.Hosts...)
		}
	}
	return merged, nil
}

func configValue(cfg *ssh_config.Config, host, key string) string {
	if cfg == nil {
		return ""
	}
	v, _ := cfg.Get(host, key)
	return v
}

func configAll(cfg *ssh_config.Config, host, key string) []string {
	if cfg == nil {
		return nil
	}
	v, _ := cfg.GetAll(host, key)
	return v
}

func knownHostsFiles(opts map[string]any, cfg *ssh_config.Config, host string) []string {
	if l := list(opts["known_hosts"]); len(l) > 0 {
		return expandAll(l)
	}
	var files []string
	for _, v := range configAll(cfg, host, "UserKnownHostsFile") {
		files = append(files, strings.Fields(v)...)
	}
	if len(files) == 0 {
		files = []string{"~/.ssh/known_hosts", "~/.ssh/known_hosts2"}
	}
	files = append(files, "/etc/ssh/ssh_known_hosts")
	return expandAll(files)
}

func strictness(v string) string {
	switch strings.ToLower(v) {
	case "no", "off", "false":
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

func expand(p string) string {
	if p == "~" {
		return home()
	}
	if strings.HasPrefix(p, "~/") {
		return filepath.Join(home(), p[2:])
	}
	return p
}

func expandAll(ps []string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = expand(strings.Trim(p, `"`))
	}
	return out
}

func netJoin(host string, port int) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + strconv.Itoa(port)
	}
	return host + ":" + strconv.Itoa(port)
}
