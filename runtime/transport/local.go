package transport

import (
	"context"

	"github.com/luacap/luacap/runtime/backend"
	"github.com/luacap/luacap/runtime/host"
)

// Local reaches the machine running luacap: run_locally, and servers
// declared with transport="local". It has no use for ssh_options.
type Local struct{}

// Dial returns the local backend.
func (Local) Dial(context.Context, *host.Host, Options) (backend.Backend, error) {
	return backend.Local{}, nil
}

// Address is the server's hostname and port as declared (22 when none):
// there is nothing to resolve.
func (Local) Address(h *host.Host, _ Options) (Address, error) {
	return Address{Hostname: h.Hostname, Port: max(h.Port, 22)}, nil
}
