package netssh

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/luacap/luacap/runtime/transport"
)

// HostConfig is one host's ssh settings as ssh -G shows them: values as
// OpenSSH resolves them, with the same defaults, and the tokens of
// IdentityFile, CertificateFile, GlobalKnownHostsFile and ProxyCommand
// left as written (they are expanded where they are used).
type HostConfig struct {
	HostArg             string // the host as given: %n
	Hostname            string
	User                string
	Port                int
	IdentityFiles       []string // none: luacap's defaults
	CertificateFiles    []string
	IdentitiesOnly      bool
	IdentityAgent       string // a socket, "SSH_AUTH_SOCK", "none", or "" (unset)
	ProxyJump           string // "" or "none": no jump
	ProxyCommand        string
	UserKnownHosts      []string
	GlobalKnownHosts    []string
	StrictHostKey       string // ssh -G's words: "true", "false", "ask", "accept-new"
	ServerAliveInterval int    // seconds; 0: none
	ServerAliveCountMax int
	ConnectTimeout      int // seconds; -1: unset
	ForwardAgent        bool
}

// sshConfig is the ssh_config files of a run, parsed once.
type sshConfig struct {
	files []*configFile
	local local
}

// loadSSHConfig reads ~/.ssh/config and /etc/ssh/ssh_config, or only the
// file named by ssh_options.config, as ssh -F does, or none, through r.
func loadSSHConfig(o transport.Options, r *configReader) (*sshConfig, error) {
	c := &sshConfig{local: thisMachine()}
	if o.NoConfig {
		return c, nil
	}
	type source struct {
		path          string
		named, system bool
	}
	sources := []source{{path: filepath.Join(home(), ".ssh", "config")}, {path: "/etc/ssh/ssh_config", system: true}}
	if o.Config != nil {
		sources = []source{{path: expandTilde(*o.Config), named: true}}
	}
	for _, s := range sources {
		f, err := r.file(s.path, s.system, 0)
		if os.IsNotExist(err) && !s.named {
			continue
		}
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("ssh_options.config: %s does not exist", s.path)
		}
		if err != nil {
			return nil, fmt.Errorf("reading ssh_config: %w", err)
		}
		c.files = append(c.files, f)
	}
	return c, nil
}

// host resolves hostArg through the files, as ssh -G HOST does; user
// and port, when set, are given before the files as ssh -l and -p are.
func (c *sshConfig) host(hostArg, user string, port int) (*HostConfig, error) {
	ev := &evaluator{hostArg: hostArg, hostMatch: hostArg, local: c.local,
		hc:   &HostConfig{HostArg: hostArg, User: user, Port: port, ServerAliveCountMax: -1, ServerAliveInterval: -1, ConnectTimeout: -1},
		from: map[string]*configLine{}}
	given := &configLine{file: "the Deployfile"}
	if user != "" {
		ev.from["user"] = given
	}
	if port != 0 {
		ev.from["port"] = given
	}
	if err := ev.pass(c.files); err != nil {
		return nil, err
	}
	name, err := ev.hostname()
	if err != nil {
		return nil, err
	}
	if ev.wantFinal {
		ev.final, ev.hostMatch, ev.hc.Hostname = true, name, name
		ev.from["hostname"] = &configLine{}
		if err := ev.pass(c.files); err != nil {
			return nil, err
		}
	}
	ev.hc.Hostname = name
	return ev.hc, ev.defaults()
}

// hostname is HostName with %h expanded, or the host as given; lower
// case, as ssh makes it.
func (ev *evaluator) hostname() (string, error) {
	name := ev.hostArg
	if ev.hc.Hostname != "" {
		var err error
		if name, err = (tokens{'h': ev.hostArg}).expand(ev.hc.Hostname); err != nil {
			return "", fmt.Errorf("%s: HostName %v", ev.from["hostname"].where(), err)
		}
	}
	return strings.ToLower(name), nil
}

// defaults fills what the files left unset, as ssh does, and expands
// the keys ssh -G shows expanded.
func (ev *evaluator) defaults() error {
	hc := ev.hc
	if hc.Port == 0 {
		hc.Port = 22
	}
	if hc.User == "" {
		hc.User = ev.local.user
	}
	if hc.StrictHostKey == "" {
		hc.StrictHostKey = "ask"
	}
	if hc.ServerAliveCountMax < 0 {
		hc.ServerAliveCountMax = 3
	}
	if hc.UserKnownHosts == nil {
		hc.UserKnownHosts = []string{"~/.ssh/known_hosts", "~/.ssh/known_hosts2"}
	}
	if hc.GlobalKnownHosts == nil {
		hc.GlobalKnownHosts = []string{"/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"}
	}
	t := ev.tokens()
	for i, f := range hc.UserKnownHosts {
		p, err := t.expandPath(f)
		if err != nil {
			return fmt.Errorf("%s: UserKnownHostsFile %v", ev.where("userknownhostsfile"), err)
		}
		hc.UserKnownHosts[i] = p
	}
	if a := hc.IdentityAgent; a != "" && a != "none" && a != "SSH_AUTH_SOCK" {
		p, err := t.expandPath(a)
		if err != nil {
			return fmt.Errorf("%s: IdentityAgent %v", ev.where("identityagent"), err)
		}
		hc.IdentityAgent = p
	}
	return nil
}

func (ev *evaluator) where(key string) string {
	if l := ev.from[key]; l != nil {
		return l.where()
	}
	return "ssh_config"
}

// tokens are the host's tokens with what is known so far.
func (ev *evaluator) tokens() tokens {
	host := ev.matchHost() // the resolved name once there is one
	port := ev.hc.Port
	if port == 0 {
		port = 22
	}
	return hostTokens(ev.local, host, ev.hostArg, ev.userSoFar(), port)
}

func (ev *evaluator) expandTokens(s string, l *configLine) (string, error) {
	out, err := ev.tokens().expandPath(s)
	if err != nil {
		return "", fmt.Errorf("%s: %v", l.where(), err)
	}
	return out, nil
}
