package engine

import (
	"context"
	"sync"

	"github.com/luacap/luacap/runtime/backend"
	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/sched"
)

// hostOp is one host's part of a command or transfer.
type hostOp func(ctx context.Context, s *backend.Session) error

// fanout returns work that runs op on every host at once, at most
// --max-hosts at a time, waits for all of them (no host is cut off
// mid-command by another's failure); hostPolicyNow says what their
// failures mean.
func (e *Engine) fanout(hosts []*host.Host, op hostOp) sched.Work {
	if err := e.noServers(hosts, "the command"); err != nil {
		return func(context.Context) (sched.Deliver, error) { return nil, err }
	}
	policy := e.hostPolicyNow()
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
		results := make([]sched.HostResult, len(hosts))
		for i, err := range errs {
			results[i] = sched.HostResult{Host: hosts[i], Err: err}
		}
		dropThem, err := e.settleHosts(policy, len(hosts), results)
		if err != nil {
			return nil, err
		}
		return dropping(dropThem), nil
	}
}

// onHost runs op on h's session, dialling it first if need be.
func (e *Engine) onHost(ctx context.Context, h *host.Host, op hostOp) error {
	s, err := e.pool.Session(ctx, h)
	if err != nil {
		return err
	}
	return op(ctx, s)
}
