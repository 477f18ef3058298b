package engine

import (
	"context"
	"errors"
	"sync"

	"github.com/luacap/luacap/runtime/backend"
)

// syncHosts waits, on every host at once, for the commands that pipelined
// tasks sent without waiting, and returns their failures. The first
// failure's sender becomes the failed task, when none failed before.
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
		e.sentBy.note(err)
	}
	if len(failed) > 0 && e.failed == "" {
		e.failed = e.sentBy.or("")
	}
	return joinHostErrors(len(sessions), failed, nil)
}

// sentBy remembers the task that sent the first failed command that was
// not waited for: a later step reports the failure, but the run names
// the task it belongs to. Host goroutines note it; hence the lock.
type sentBy struct {
	mu   sync.Mutex
	task string
}

func (s *sentBy) note(err error) {
	var ce *backend.CommandError
	if !errors.As(err, &ce) || ce.SentBy == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.task == "" {
		s.task = ce.SentBy
	}
}

// or returns the sender, or task when no such failure was seen.
func (s *sentBy) or(task string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.task != "" {
		return s.task
	}
	return task
}
