package engine

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/luacap/luacap/runtime/backend"
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
		e.sentBy.note(err)
	}
	err := joinHostErrors(len(sessions), failed, nil)
	if err != nil && e.failed == "" {
		e.failed = e.sentBy.behind(err, "")
	}
	return err
}

// sentBy remembers the task that sent the latest failed command that was
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
	s.task = ce.SentBy
}

// behind returns the sender when err is its failure (a failure caught
// with pcall earlier does not count), and task otherwise.
func (s *sentBy) behind(err error, task string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.task != "" && strings.Contains(err.Error(), "(sent by "+s.task+";") {
		return s.task
	}
	return task
}
