package backend

import (
	"context"
	"sync"

	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/output"
)

// Dialer opens the backend for a host. It may block (an SSH handshake),
// so the pool calls it off the Lua goroutine.
type Dialer func(ctx context.Context, h *host.Host) (Backend, error)

// Pool keeps one Session per host for the whole run, dialled on first use.
type Pool struct {
	dial Dialer
	out  *output.Output

	mu      sync.Mutex
	entries map[string]*poolEntry
}

type poolEntry struct {
	once    sync.Once
	session *Session
	err     error
}

// NewPool returns a Pool that dials hosts with dial.
func NewPool(dial Dialer, out *output.Output) *Pool {
	return &Pool{dial: dial, out: out, entries: map[string]*poolEntry{}}
}

// Session returns the host's session, dialling it the first time. Callers
// for the same host wait for one dial rather than racing their own.
func (p *Pool) Session(ctx context.Context, h *host.Host) (*Session, error) {
	p.mu.Lock()
	e, ok := p.entries[h.Name]
	if !ok {
		e = &poolEntry{}
		p.entries[h.Name] = e
	}
	p.mu.Unlock()
	e.once.Do(func() {
		b, err := p.dial(ctx, h)
		if err != nil {
			e.err = &HostError{Host: h.Name, Op: "connecting", Err: err}
			return
		}
		p.mu.Lock() // Sessions reads it while other hosts still dial
		e.session = &Session{Host: h, Backend: b, Out: p.out}
		p.mu.Unlock()
	})
	p.mu.Lock()
	defer p.mu.Unlock()
	return e.session, e.err
}

// Sessions returns the sessions dialled so far, in no particular order.
func (p *Pool) Sessions() []*Session {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []*Session
	for _, e := range p.entries {
		if e.session != nil {
			out = append(out, e.session)
		}
	}
	return out
}

// Close closes every backend that was dialled.
func (p *Pool) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var first error
	for _, e := range p.entries {
		if e.session != nil {
			if err := e.session.Backend.Close(); err != nil && first == nil {
				first = err
			}
		}
	}
	return first
}
