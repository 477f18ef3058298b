package netssh

import (
	"context"

	"github.com/luacap/luacap/runtime/backend"
	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/transport"
)

// Transport is what the engine dials ssh hosts with.
type Transport struct {
	Dialer *Dialer
}

var _ transport.Transport = Transport{}

// Dial resolves h's settings (server() values over opts over ssh_config)
// and connects.
func (t Transport) Dial(ctx context.Context, h *host.Host, opts transport.Options) (backend.Backend, error) {
	s, err := t.resolve(h, opts)
	if err != nil {
		return nil, err
	}
	return t.Dialer.Dial(ctx, s)
}

func (t Transport) resolve(h *host.Host, opts transport.Options) (Settings, error) {
	if t.Dialer == nil {
		return Resolve(h.Name, h.Hostname, h.User, h.Port, opts)
	}
	return t.Dialer.resolve(h.Name, h.Hostname, h.User, h.Port, opts)
}
