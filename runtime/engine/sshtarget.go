package engine

import (
	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/transport"
)

// SSHTarget is what luacap ssh-config shows for name: the declared
// server of that name (nil when there is none) and its ssh_options, the
// server's own over the Deployfile's.
func (e *Engine) SSHTarget(name string) (*host.Host, transport.Options, error) {
	if err := e.readSSHOptions(); err != nil {
		return nil, transport.Options{}, err
	}
	for _, h := range e.p.Hosts.All() {
		if h.Name == name {
			o, err := e.ssh.of(h)
			return h, o, err
		}
	}
	return nil, e.ssh.global, nil
}
