package engine

import (
	"context"
	"sync"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/backend"
	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/sched"
)

// hostOp is one host's part of a command or transfer.
type hostOp func(ctx context.Context, s *backend.Session) error

// fanout returns work that runs op on every host at once, at most
// --max-hosts at a time, waits for all of them (no host is cut off
// mid-command by another's failure) and joins their errors. In a task
// marked on_error="continue", failed hosts are dropped instead.
func (e *Engine) fanout(hosts []*host.Host, op hostOp) sched.Work {
	if err := e.noServers(hosts, "the command"); err != nil {
		return func(context.Context) (sched.Deliver, error) { return nil, err }
	}
	keepGoing := e.keepGoing()
	limit := e.opts.MaxHosts
	if limit <= 0 || limit > len(hosts) {
		limit = max(len(hosts), 1)
	}
	return func(ctx context.Context) (sched.Deliver, error) {
		errs := make([]error, len(hosts))
		sem := make(chan struct{}, limit)
		var wg sync.WaitGroup
		for i, h := range hosts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				errs[i] = e.onHost(ctx, h, op)
			}()
		}
		wg.Wait()
		var failed []error
		var results []sched.HostResult
		for i, err := range errs {
			if err != nil {
				e.out.HostFailed(hosts[i].Name)
				failed = append(failed, err)
				results = append(results, sched.HostResult{Host: hosts[i], Err: err})
			}
		}
		if keepGoing {
			return func(*lua.LState) []lua.LValue { e.drop(results); return nil }, nil
		}
		return nil, joinHostErrors(len(hosts), failed, nil)
	}
}

// onHost runs op on h's session, dialling it first if need be.
func (e *Engine) onHost(ctx context.Context, h *host.Host, op hostOp) error {
	s, err := e.pool.Session(ctx, h)
	if err != nil {
		return err
	}
	err = op(ctx, s)
	e.sentBy.note(err)
	return err
}
