package engine

import (
	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/sched"
)

// hostPolicy is what a step that runs on several hosts does when some of
// them fail. It is decided in one place, hostPolicyNow, for every such
// step: commands and transfers (fanout), on() blocks (runFibers), and the
// undo and cleanup work of unwind.
type hostPolicy struct {
	// stopOthers: the other hosts stop at their next command and no new
	// host starts. A normal step does; cleanup lets every host finish.
	stopOthers bool
	// drop: the failed hosts leave the run and the step goes on
	// (on_error = "continue"); otherwise the step fails naming them.
	drop bool
}

// hostPolicyNow is the policy of the step about to run. Undo and cleanup
// never drop a host: a failed undo leaves the host in a state someone must
// look at, so it is an error the caller reports and records as not
// undone, whatever the task around it says about its own failures.
func (e *Engine) hostPolicyNow() hostPolicy {
	switch {
	case e.cleaning > 0:
		return hostPolicy{}
	case e.running.keepGoing():
		return hostPolicy{drop: true}
	}
	return hostPolicy{stopOthers: true}
}

// settleHosts reports each failed host and applies p to results: the step's
// error naming the failed hosts, or (drop) none and a function, to call
// on the goroutine that owns the Lua state, that drops them.
func (e *Engine) settleHosts(p hostPolicy, total int, results []sched.HostResult) (dropThem func(), err error) {
	var errs []error
	var stopped []string
	var failed []sched.HostResult
	for _, r := range results {
		switch {
		case r.Err != nil:
			e.out.HostFailed(r.Host.Name)
			errs = append(errs, namingHost(r))
			failed = append(failed, r)
		case r.Stopped:
			stopped = append(stopped, r.Host.Name)
		}
	}
	if p.drop {
		return func() { e.drop(failed) }, nil
	}
	return func() {}, joinHostErrors(total, errs, stopped)
}

// dropping wraps dropThem as the Deliver of a scheduler's work.
func dropping(dropThem func()) sched.Deliver {
	return func(*lua.LState) []lua.LValue { dropThem(); return nil }
}
