package netssh

import (
	"strings"

	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/transport"
)

// Address is where h is, resolved as Dial resolves it, with the ssh
// options with which an external tool (rsync -e) reaches h exactly as
// luacap does: the same user, port, keys, known_hosts, agent and proxy.
func (t Transport) Address(h *host.Host, opts transport.Options) (transport.Address, error) {
	s, err := t.resolve(h, opts)
	if err != nil {
		return transport.Address{}, err
	}
	return transport.Address{User: s.User, Hostname: s.Hostname, Port: s.Port, SSHArgs: s.sshArgs()}, nil
}

// sshArgs are ssh's options, after -p, that make it reach the host as s
// describes.
func (s Settings) sshArgs() []string {
	args := []string{"-o", "BatchMode=yes",
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
	return args
}
