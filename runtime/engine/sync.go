package engine

import (
	"context"
	"sync"
)

// syncHosts waits, on every host at once, for the commands that pipelined
// tasks sent without waiting, and returns their failures. The sender of
// a failure becomes the failed task, when none failed before.
func (e *Engine) syncHosts(ctx context.Context) error {
	sessions := e.pool.Sessions()
	errs := make([]error, len(sessions))
	var wg sync.WaitGroup
	for i, s := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Sync(ctx)
		}()
	}
	wg.Wait()
	var failed []error
	for i, err := range errs {
		if err == nil {
			continue
		}
		e.out.HostFailed(sessions[i].Host.Name)
		failed = append(failed, err)
	}
	err := joinHostErrors(len(sessions), failed, nil)
	if err != nil && e.failed == "" {
		e.failed = senderOr(err, "")
	}
	return err
}
