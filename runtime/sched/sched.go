package sched

import (
	"context"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/runner"
)

// Deliver builds the Lua values a finished piece of work returns. It
// runs on the owner goroutine, so it may make tables.
type Deliver func(L *lua.LState) []lua.LValue

// Work is I/O run off the owner goroutine. It must not touch Lua values.
type Work func(ctx context.Context) (Deliver, error)

// Fiber is one host's run of an on() block.
type Fiber struct {
	Host *host.Host
	Data any // the engine's per-fiber state (within, with, as)

	co      *lua.LState
	cancel  context.CancelFunc
	pending Work
	failure error // what it raised and no pcall caught
}

// Scheduler owns the fibers of a Lua state.
type Scheduler struct {
	ctx     func() context.Context // the run's context; the engine swaps it for undo
	fibers  map[*lua.LState]*Fiber
	failure error // raised at task level and not caught
}

// New returns a Scheduler whose work runs under the context ctx returns.
func New(ctx func() context.Context) *Scheduler {
	return &Scheduler{ctx: ctx, fibers: map[*lua.LState]*Fiber{}}
}

// FiberOf returns the fiber L runs in, or nil at task level. L may be a
// coroutine started inside the fiber (the yield-safe pcall makes those).
func (s *Scheduler) FiberOf(L *lua.LState) *Fiber {
	for t := L; t != nil; t = t.Parent {
		if f, ok := s.fibers[t]; ok {
			return f
		}
	}
	return nil
}

// Await runs w and returns its result to Lua as (true, values...) or
// (false, message); the prelude's wrappers raise the message at the
// caller's line. Inside a fiber it yields; at task level it blocks.
func (s *Scheduler) Await(L *lua.LState, w Work) int {
	if f := s.FiberOf(L); f != nil {
		f.pending = w
		return L.Yield()
	}
	values := s.settle(L, w)
	for _, v := range values {
		L.Push(v)
	}
	return len(values)
}

// settle runs w now and turns its outcome into the values Await returns.
func (s *Scheduler) settle(L *lua.LState, w Work) []lua.LValue {
	deliver, err := w(s.ctx())
	return s.outcome(L, deliver, err)
}

func (s *Scheduler) outcome(L *lua.LState, deliver Deliver, err error) []lua.LValue {
	if err != nil {
		s.NoteFailure(L, err)
		return []lua.LValue{lua.LFalse, lua.LString(err.Error())}
	}
	values := []lua.LValue{lua.LTrue}
	if deliver != nil {
		values = append(values, deliver(L)...)
	}
	return values
}

// HostResult is how one host's fiber ended.
type HostResult struct {
	Host    *host.Host
	Err     error // the error it raised
	Failure error // the verb's failure behind Err, when Err is one no pcall caught
	Stopped bool  // not run, or stopped after its command because another host failed
}

// Options shape one Run.
type Options struct {
	Policy      runner.Policy
	MaxInFlight int  // the global --max-hosts bound; 0 means no bound
	KeepGoing   bool // on_error="continue": a failed host does not stop the others
	NewData     func(*host.Host) any
}

func (s *Scheduler) sleep(d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-s.ctx().Done():
		return s.ctx().Err()
	}
}
