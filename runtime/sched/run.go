package sched

import (
	"errors"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/host"
)

// errYield ends a fiber whose block yielded by itself: the engine names
// the host, as for any error of the block's own.
var errYield = errors.New("coroutine.yield() is not allowed directly in an on() block")

// ErrNested is returned when on() is called inside another on() block.
var ErrNested = errors.New("on() cannot run inside another on() block; call it at task level")

// completion is finished work on its way back to the owner goroutine.
type completion struct {
	f       *Fiber
	deliver Deliver
	err     error
}

// Run calls fn(hostTable) as one fiber per host, in the order and with the
// concurrency opts.Policy gives, and returns one result per host in the
// order of hosts. L must be the calling thread, at task level.
//
// When a host fails, hosts running a command finish it and are resumed
// with its result, so that what the block does after a command (register
// its undo) still happens; they are stopped when they ask for their next
// command, and no new host starts. opts.KeepGoing lets them all go on.
func (s *Scheduler) Run(L *lua.LState, hosts []*host.Host, tables []lua.LValue, fn *lua.LFunction, opts Options) []HostResult {
	results := make([]HostResult, len(hosts))
	for i, h := range hosts {
		results[i] = HostResult{Host: h, Stopped: true}
	}
	r := &run{s: s, L: L, fn: fn, opts: opts, results: results, done: make(chan completion)}
	for bi, batch := range opts.Policy.Batches(len(hosts)) {
		if r.failed && !opts.KeepGoing {
			break
		}
		if bi > 0 {
			if err := s.sleep(opts.Policy.Wait); err != nil {
				break
			}
		}
		r.batch(batch, tables)
	}
	return results
}

type run struct {
	s       *Scheduler
	L       *lua.LState
	fn      *lua.LFunction
	opts    Options
	results []HostResult
	done    chan completion
	index   map[*Fiber]int
	active  int
	failed  bool
}

func (r *run) batch(batch []int, tables []lua.LValue) {
	r.index = map[*Fiber]int{}
	limit := r.opts.MaxInFlight
	if limit <= 0 {
		limit = len(batch)
	}
	next := 0
	for next < len(batch) || r.active > 0 {
		for r.active < limit && next < len(batch) && r.mayStart() {
			i := batch[next]
			next++
			r.start(i, tables[i])
		}
		if r.active == 0 {
			return
		}
		c := <-r.done
		r.active--
		r.step(c.f, resume(r.L, c.f.co, nil, r.s.outcome(c.f.co, c.deliver, c.err)...))
	}
}

func (r *run) mayStart() bool { return !r.failed || r.opts.KeepGoing }

func (r *run) start(i int, table lua.LValue) {
	h := r.results[i].Host
	co, cancel := r.L.NewThread()
	f := &Fiber{Host: h, co: co, cancel: cancel}
	if r.opts.NewData != nil {
		f.Data = r.opts.NewData(h)
	}
	r.s.fibers[co] = f
	r.index[f] = i
	r.results[i].Stopped = false
	r.step(f, resume(r.L, co, r.fn, table))
}

// step acts on how a resume ended: park the fiber on its work, or finish it.
func (r *run) step(f *Fiber, st step) {
	switch {
	case st.err != nil:
		r.finish(f, st.err, false)
	case st.done:
		r.finish(f, nil, false)
	case f.pending == nil:
		r.finish(f, errYield, false)
	case r.failed && !r.opts.KeepGoing:
		f.pending = nil
		r.finish(f, nil, true) // another host failed: its next command does not start
	default:
		w := f.pending
		f.pending = nil
		r.active++
		ctx := r.s.ctx()
		go func() {
			deliver, err := w(ctx)
			r.done <- completion{f: f, deliver: deliver, err: err}
		}()
	}
}

func (r *run) finish(f *Fiber, err error, stopped bool) {
	i := r.index[f]
	delete(r.s.fibers, f.co)
	if f.cancel != nil {
		f.cancel()
	}
	r.results[i].Err = err
	r.results[i].Stopped = stopped
	if err != nil {
		r.results[i].Failure = f.failure
		r.failed = true
	}
}
