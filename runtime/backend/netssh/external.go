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
// describes. ssh reads an -o option's value as words (see sshWords) and
// expands %-tokens in the paths luacap has expanded already (sshPaths).
func (s Settings) sshArgs() []string {
	args := []string{"-o", "BatchMode=yes",
		"-o", "StrictHostKeyChecking=" + s.StrictHostKey,
		"-o", "UserKnownHostsFile=" + sshPaths(s.KnownHosts...),
		"-o", "GlobalKnownHostsFile=" + sshWords(s.GlobalKnownHosts)}
	switch {
	case s.opts.Config != nil: // jump hosts may be aliases in it
		args = append(args, "-F", expandTilde(*s.opts.Config))
	case s.opts.NoConfig:
		args = append(args, "-F", "/dev/null")
	}
	if s.namedKeys {
		for _, k := range s.IdentityFiles {
			args = append(args, "-o", "IdentityFile="+sshPaths(k)) // -i would stat the path unexpanded
		}
	}
	for _, c := range s.Certificates {
		args = append(args, "-o", "CertificateFile="+sshPaths(c))
	}
	if s.IdentitiesOnly {
		args = append(args, "-o", "IdentitiesOnly=yes")
	}
	agent := "none"
	if s.AgentSocket != "" {
		agent = sshPaths(s.AgentSocket)
	}
	args = append(args, "-o", "IdentityAgent="+agent)
	switch {
	case len(s.ProxyJump) > 0:
		args = append(args, "-J", strings.Join(s.ProxyJump, ","))
	case s.ProxyCommand != "": // expanded already: ssh must not expand it again
		args = append(args, "-o", "ProxyCommand="+strings.ReplaceAll(s.ProxyCommand, "%", "%%"))
	}
	return args
}

// sshWords joins words into an -o option's value as ssh splits it: at
// spaces and tabs, with quotes and backslashes read as a shell would
// read them inside double quotes. A path with a space, a quote or a
// backslash is one word only quoted.
func sshWords(words []string) string {
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = w
		if w == "" || strings.ContainsAny(w, " \t\n'\"\\#") {
			quoted[i] = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(w) + `"`
		}
	}
	return strings.Join(quoted, " ")
}

// sshPaths is sshWords of paths that ssh reads where it expands
// %-tokens (IdentityFile, CertificateFile, UserKnownHostsFile,
// IdentityAgent): luacap expanded them already, so a % left in a path is
// a %.
func sshPaths(paths ...string) string {
	escaped := make([]string, len(paths))
	for i, p := range paths {
		escaped[i] = strings.ReplaceAll(p, "%", "%%")
	}
	return sshWords(escaped)
}
