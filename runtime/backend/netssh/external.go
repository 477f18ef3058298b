package netssh

import (
	"strconv"
	"strings"

	"github.com/luacap/luacap/runtime/host"
)

// SSHCommand returns the ssh command line and the user@host destination
// with which an external tool (rsync -e) reaches h exactly as luacap
// does: the same user, port, keys, known_hosts and jump hosts.
func (t Transport) SSHCommand(h *host.Host, opts map[string]any) ([]string, string, error) {
	s, err := Resolve(h.Name, h.Hostname, h.User, h.Port, opts)
	if err != nil {
		return nil, "", err
	}
	args := []string{"ssh", "-p", strconv.Itoa(s.Port), "-o", "BatchMode=yes",
		"-o", "StrictHostKeyChecking=" + s.StrictHostKey,
		"-o", "UserKnownHostsFile=" + strings.Join(s.KnownHosts, " ")}
	if cfg, ok := opts["config"].(string); ok {
		args = append(args, "-F", expand(cfg)) // jump hosts may be aliases in it
	}
	for _, k := range s.IdentityFiles {
		args = append(args, "-i", k)
	}
	if s.IdentitiesOnly {
		args = append(args, "-o", "IdentitiesOnly=yes")
	}
	if len(s.ProxyJump) > 0 {
		args = append(args, "-J", strings.Join(s.ProxyJump, ","))
	}
	return args, s.User + "@" + s.Hostname, nil
}
