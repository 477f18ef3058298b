package netssh

import (
	"fmt"
	"strconv"
	"strings"
)

// evaluator reads the config files for one host as ssh does: the first
// value of a key wins, IdentityFile and CertificateFile accumulate, and
// a "Match final" asks for a second pass in which Host matches the
// resolved HostName and "Match canonical/final" hold.
type evaluator struct {
	hostArg    string // the host as given (%n, Match originalhost)
	hostMatch  string // what Host lines compare
	local      local
	hc         *HostConfig
	from       map[string]*configLine // the line that set each key
	final      bool
	wantFinal  bool
	neverMatch bool // inside an Include read while inactive
}

// keys with one value: the first active line wins.
var singleKeys = map[string]func(hc *HostConfig, l *configLine) error{
	"hostname":              func(hc *HostConfig, l *configLine) error { hc.Hostname = l.args[0]; return nil },
	"user":                  func(hc *HostConfig, l *configLine) error { hc.User = l.args[0]; return nil },
	"port":                  func(hc *HostConfig, l *configLine) error { return parsePortLine(hc, l) },
	"identitiesonly":        func(hc *HostConfig, l *configLine) error { return flagLine(l, &hc.IdentitiesOnly) },
	"forwardagent":          func(hc *HostConfig, l *configLine) error { return forwardAgentLine(hc, l) },
	"identityagent":         func(hc *HostConfig, l *configLine) error { hc.IdentityAgent = l.args[0]; return nil },
	"userknownhostsfile":    func(hc *HostConfig, l *configLine) error { hc.UserKnownHosts = l.args; return nil },
	"globalknownhostsfile":  func(hc *HostConfig, l *configLine) error { hc.GlobalKnownHosts = l.args; return nil },
	"stricthostkeychecking": strictLine,
	"serveraliveinterval":   func(hc *HostConfig, l *configLine) error { return timeLine(l, &hc.ServerAliveInterval) },
	"serveralivecountmax":   func(hc *HostConfig, l *configLine) error { return intLine(l, &hc.ServerAliveCountMax) },
	"connecttimeout":        func(hc *HostConfig, l *configLine) error { return timeLine(l, &hc.ConnectTimeout) },
	"canonicalizehostname":  canonicalizeLine,
}

func (ev *evaluator) pass(files []*configFile) error {
	for _, f := range files {
		active := !ev.neverMatch
		if err := ev.lines(f.lines, &active); err != nil {
			return err
		}
	}
	return nil
}

func (ev *evaluator) lines(lines []*configLine, active *bool) error {
	for _, l := range lines {
		var err error
		switch l.key {
		case "host":
			*active = !ev.neverMatch && hostActive(ev.hostMatch, l.args)
		case "match":
			var ok bool
			ok, err = ev.matchActive(l)
			*active = ok && !ev.neverMatch
		case "include":
			err = ev.include(l, *active)
		default:
			if *active {
				err = ev.set(l)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// include reads the included files in the including block's state; a
// Host or Match in them ends at the file's end, as in ssh.
func (ev *evaluator) include(l *configLine, active bool) error {
	saved := ev.neverMatch
	ev.neverMatch = saved || !active
	defer func() { ev.neverMatch = saved }()
	for _, f := range l.included {
		inner := active
		if err := ev.lines(f.lines, &inner); err != nil {
			return err
		}
	}
	return nil
}

func (ev *evaluator) set(l *configLine) error {
	switch l.key {
	case "identityfile", "certificatefile":
		if len(l.args) == 0 {
			return fmt.Errorf("%s: %s needs a file name", l.where(), l.key)
		}
		if l.key == "identityfile" {
			ev.hc.IdentityFiles = append(ev.hc.IdentityFiles, l.args[0])
		} else {
			ev.hc.CertificateFiles = append(ev.hc.CertificateFiles, l.args[0])
		}
		return nil
	case "proxycommand", "proxyjump":
		return ev.setProxy(l)
	}
	parse := singleKeys[l.key]
	if parse == nil || ev.from[l.key] != nil {
		return nil // a key luacap does not use, or set already
	}
	if len(l.args) == 0 {
		return fmt.Errorf("%s: %s needs a value", l.where(), l.key)
	}
	ev.from[l.key] = l
	return parse(ev.hc, l)
}

// setProxy: the first ProxyCommand wins, "none" included, and shuts
// out any later ProxyJump; a ProxyJump (other than "none") shuts out a
// later ProxyCommand. So ssh -G shows it.
func (ev *evaluator) setProxy(l *configLine) error {
	if l.raw == "" {
		return fmt.Errorf("%s: %s needs a value", l.where(), l.key)
	}
	jumping := ev.hc.ProxyJump != "" && ev.hc.ProxyJump != "none"
	switch {
	case ev.from["proxycommand"] != nil:
	case l.key == "proxycommand" && !jumping:
		ev.from["proxycommand"] = l
		ev.hc.ProxyCommand = l.raw
	case l.key == "proxyjump" && ev.from["proxyjump"] == nil:
		ev.from["proxyjump"] = l
		ev.hc.ProxyJump = l.args[0]
	}
	return nil
}

func parsePortLine(hc *HostConfig, l *configLine) error {
	n, err := strconv.Atoi(l.args[0])
	if err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("%s: Port %q is not a port number (1 to 65535)", l.where(), l.args[0])
	}
	hc.Port = n
	return nil
}

func flagLine(l *configLine, dst *bool) error {
	switch strings.ToLower(l.args[0]) {
	case "yes", "true":
		*dst = true
	case "no", "false":
		*dst = false
	default:
		return fmt.Errorf("%s: %s must be yes or no, not %q", l.where(), l.key, l.args[0])
	}
	return nil
}

func forwardAgentLine(hc *HostConfig, l *configLine) error {
	if err := flagLine(l, &hc.ForwardAgent); err != nil {
		return fmt.Errorf("%s: ForwardAgent %q: luacap forwards the agent of IdentityAgent or SSH_AUTH_SOCK; write yes or no", l.where(), l.args[0])
	}
	return nil
}

func strictLine(hc *HostConfig, l *configLine) error {
	switch v := strings.ToLower(l.args[0]); v {
	case "yes", "true":
		hc.StrictHostKey = "true"
	case "no", "false", "off":
		hc.StrictHostKey = "false"
	case "ask", "accept-new":
		hc.StrictHostKey = v
	default:
		return fmt.Errorf("%s: StrictHostKeyChecking must be yes, accept-new, no or ask, not %q", l.where(), l.args[0])
	}
	return nil
}

func intLine(l *configLine, dst *int) error {
	n, err := strconv.Atoi(l.args[0])
	if err != nil || n < 0 {
		return fmt.Errorf("%s: %s must be a whole number, not %q", l.where(), l.key, l.args[0])
	}
	*dst = n
	return nil
}

// timeLine reads ssh's time format: "30", "30s", "1m30s", "2h"; "none"
// is no limit.
func timeLine(l *configLine, dst *int) error {
	if strings.EqualFold(l.args[0], "none") {
		*dst = 0
		return nil
	}
	n, ok := convtime(l.args[0])
	if !ok {
		return fmt.Errorf("%s: %s must be a time such as 30 or 1m30s, not %q", l.where(), l.key, l.args[0])
	}
	*dst = n
	return nil
}

func convtime(s string) (int, bool) {
	units := map[byte]int{'s': 1, 'm': 60, 'h': 3600, 'd': 86400, 'w': 604800}
	total, num, digits := 0, 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			num, digits = num*10+int(c-'0'), digits+1
			continue
		}
		mult, ok := units[c|0x20]
		if !ok || digits == 0 {
			return 0, false
		}
		total, num, digits = total+num*mult, 0, 0
	}
	if s == "" {
		return 0, false
	}
	return total + num, true
}

func canonicalizeLine(hc *HostConfig, l *configLine) error {
	if v := strings.ToLower(l.args[0]); v != "no" && v != "false" {
		return fmt.Errorf("%s: CanonicalizeHostname %s is not supported by luacap; set it to no for the hosts luacap deploys to", l.where(), l.args[0])
	}
	return nil
}
