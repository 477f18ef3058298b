package netssh

import (
	"context"

	"github.com/luacap/luacap/runtime/backend"
	"github.com/luacap/luacap/runtime/host"
)

// Transport is what the engine dials ssh hosts with.
type Transport struct {
	Dialer *Dialer
}

// Validate checks a Deployfile's ssh_options.
func (t Transport) Validate(opts map[string]any) error { return Validate(opts) }

// Dial resolves h's settings (server() values over opts over ssh_config)
// and connects.
func (t Transport) Dial(ctx context.Context, h *host.Host, opts map[string]any) (backend.Backend, error) {
	s, err := t.resolve(h, opts)
	if err != nil {
		return nil, err
	}
	return t.Dialer.Dial(ctx, s)
}

func (t Transport) resolve(h *host.Host, opts map[string]any) (Settings, error) {
	if t.Dialer == nil {
		return Resolve(h.Name, h.Hostname, h.User, h.Port, opts)
	}
	return t.Dialer.resolve(h.Name, h.Hostname, h.User, h.Port, opts)
}
