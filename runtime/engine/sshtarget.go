package engine

import "github.com/luacap/luacap/runtime/host"

// SSHTarget is what luacap ssh-config shows for name: the declared
// server of that name (nil when there is none) and its ssh_options, the
// Deployfile's merged under the server's own.
func (e *Engine) SSHTarget(name string) (*host.Host, map[string]any, error) {
	if err := e.readSSHOptions(); err != nil {
		return nil, nil, err
	}
	for _, h := range e.hosts.All() {
		if h.Name == name {
			return h, hostSSHOptions(e.sshOpts, h), nil
		}
	}
	return nil, e.sshOpts, nil
}
