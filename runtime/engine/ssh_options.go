package engine

import (
	"sync"

	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/project"
	"github.com/luacap/luacap/runtime/transport"
)

// sshOptions are the run's ssh_options, typed: the Deployfile's, and each
// server's own merged over them. Dials read them off the Lua goroutine,
// hence the lock.
type sshOptions struct {
	mu     sync.Mutex
	global transport.Options
	hosts  map[*host.Host]transport.Options
}

// sshOptionsOf are h's ssh_options: read at the start, or now for a
// server declared since.
func (s *sshOptions) of(h *host.Host) (transport.Options, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o, ok := s.hosts[h]; ok {
		return o, nil
	}
	o, err := project.HostSSHOptions(s.global, h)
	if err != nil {
		return transport.Options{}, err
	}
	if s.hosts == nil {
		s.hosts = map[*host.Host]transport.Options{}
	}
	s.hosts[h] = o
	return o, nil
}

// readSSHOptions reads the typed ssh_options once, as the run starts: a
// wrong key or type fails the run before any host is reached.
func (e *Engine) readSSHOptions() error {
	global, hosts, err := e.p.SSHOptions()
	if err != nil {
		return err
	}
	e.ssh.mu.Lock()
	defer e.ssh.mu.Unlock()
	e.ssh.global, e.ssh.hosts = global, hosts
	return nil
}
