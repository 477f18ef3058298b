package transport

import (
	"context"

	"github.com/luacap/luacap/runtime/backend"
	"github.com/luacap/luacap/runtime/host"
)

// Transport reaches the servers declared with one transport= name. It is
// all the engine asks of one: a new transport is one file implementing
// it (as Local here, or netssh.Transport, do) and one registration line
// in the engine's list, runtime/engine/transports.go. Dry-run does not
// go through it: the engine gives every host the printer backend.
type Transport interface {
	// Dial connects to h. opts are h's ssh_options, the server's own over
	// the Deployfile's, read once as the run starts. Dial runs off the
	// goroutine that owns the Lua state and is called once per host.
	Dial(ctx context.Context, h *host.Host, opts Options) (backend.Backend, error)
	// Address is where h is and how an external tool reaches it.
	Address(h *host.Host, opts Options) (Address, error)
}
