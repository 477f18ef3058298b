package netssh

import (
	"strconv"
	"strings"

	"github.com/luacap/luacap/runtime/host"
)

// SSHCommand returns the ssh command line and the user@host destination
// with which an external tool (rsync -e) reaches h exactly as luacap
// does: the same user, port, keys, known_hosts, agent and proxy.
func (t Transport) SSHCommand(h *host.Host, opts map[string]any) ([]string, string, error) {
	s, err := t.resolve(h, opts)
	if err != nil {
		return nil, "", err
	}
	args := []string{"ssh", "-p", strconv.Itoa(s.Port), "-o", "BatchMode=yes",
		"-o", "StrictHostKeyChecking=" + s.StrictHostKey,
		"-o", "UserKnownHostsFile=" + strings.Join(s.KnownHosts, " "),
		"-o", "GlobalKnownHostsFile=" + strings.Join(s.GlobalKnownHosts, " ")}
	switch {
	case s.opts.Config != nil: // jump hosts may be aliases in it
		args = append(args, "-F", expandTilde(*s.opts.Config))
	case s.opts.NoConfig:
		args = append(args, "-F", "/dev/null")
	}
	if s.namedKeys {
		for _, k := range s.IdentityFiles {
			args = append(args, "-i", k)
		}
	}
	for _, c := range s.Certificates {
		args = append(args, "-o", "CertificateFile="+c)
	}
	if s.IdentitiesOnly {
		args = append(args, "-o", "IdentitiesOnly=yes")
	}
	args = append(args, "-o", "IdentityAgent="+firstNonEmpty(s.AgentSocket, "none"))
	switch {
	case len(s.ProxyJump) > 0:
		args = append(args, "-J", strings.Join(s.ProxyJump, ","))
	case s.ProxyCommand != "": // expanded already: ssh must not expand it again
		args = append(args, "-o", "ProxyCommand="+strings.ReplaceAll(s.ProxyCommand, "%", "%%"))
	}
	return args, s.User + "@" + s.Hostname, nil
}
