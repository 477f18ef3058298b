package engine

import (
	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/transport"
)

// transports are what reach a server declared with transport=NAME, in
// the order errors list them. This list is where a transport registers:
// a new one is a file implementing transport.Transport and one line
// here. One that needs the CLI (to prompt, to warn) comes in through
// Options, as ssh does.
var transports = []struct {
	name string
	of   func(Options) transport.Transport
}{
	{"ssh", func(o Options) transport.Transport { return o.SSH }},
	{"local", func(Options) transport.Transport { return transport.Local{} }},
}

// transportOf is what reaches h; an error when the run has none (an
// engine built without ssh).
func (e *Engine) transportOf(h *host.Host) (transport.Transport, error) {
	for _, t := range transports {
		if t.name != h.Transport {
			continue
		}
		if tr := t.of(e.opts); tr != nil {
			return tr, nil
		}
		break
	}
	return nil, errorf("no %s transport is configured; declare the server with transport=\"local\" to deploy on this machine", h.Transport)
}

// transportNames are the names server(transport = ...) accepts.
func transportNames() []string {
	var names []string
	for _, t := range transports {
		names = append(names, t.name)
	}
	return names
}
