package engine

import (
	"fmt"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/luaval"
	"github.com/luacap/luacap/runtime/runner"
	"github.com/luacap/luacap/runtime/sched"
)

// raw.on(hosts, [opts,] fn) -> ok | false, message. Each host runs fn as
// a fiber; see sched.Run for the failure rules.
func (e *Engine) rawOn(L *lua.LState) int {
	if e.sched.FiberOf(L) != nil {
		return luaval.FailAt(L, "%v", sched.ErrNested)
	}
	hosts, err := e.hostsArg(L.Get(1))
	if err != nil {
		return luaval.FailAt(L, "on(): %v", err)
	}
	optsTable, fn := (*lua.LTable)(nil), L.Get(2)
	if t, ok := fn.(*lua.LTable); ok {
		optsTable, fn = t, L.Get(3)
	}
	block, ok := fn.(*lua.LFunction)
	if !ok {
		return luaval.FailAt(L, "on() needs a function(host) to run on each host")
	}
	policy, err := policyOpts(L, optsTable)
	if err != nil {
		return luaval.FailAt(L, "%v", err)
	}
	if err := e.runFibers(L, e.usable(hosts), block, policy); err != nil {
		return e.fail(L, err)
	}
	return luaval.Push(L, lua.LTrue)
}

func policyOpts(L *lua.LState, t *lua.LTable) (runner.Policy, error) {
	p := runner.Policy{Mode: runner.Parallel}
	opts, err := luaval.Options(L, t, "on()", "mode", "limit", "wait", "in")
	if err != nil {
		return p, err
	}
	mode, err := modeOpt(opts)
	if err != nil {
		return p, err
	}
	if mode != nil {
		p.Mode = runner.Mode(lua.LVAsString(mode))
	}
	if v, ok := opts["limit"].(lua.LNumber); ok {
		p.Limit = int(v)
	}
	if v, ok := opts["wait"].(lua.LNumber); ok {
		p.Wait = time.Duration(float64(v) * float64(time.Second))
	}
	return p, p.Validate()
}

// modeOpt reads the policy's name from mode, or from ["in"], the older
// name (Capistrano's `in:`), which must be written in brackets because in
// is a Lua keyword. Both at once is an error: one would silently lose.
func modeOpt(opts map[string]lua.LValue) (lua.LValue, error) {
	mode, hasMode := opts["mode"]
	in, hasIn := opts["in"]
	if hasMode && hasIn {
		return nil, fmt.Errorf(`on(): give the policy as mode or as ["in"], not both`)
	}
	if hasIn {
		return in, nil
	}
	return mode, nil
}

// runFibers runs block on hosts; hostPolicyNow says what their failures
// mean.
func (e *Engine) runFibers(L *lua.LState, hosts []*host.Host, block *lua.LFunction, p runner.Policy) error {
	tables := make([]lua.LValue, len(hosts))
	for i, h := range hosts {
		tables[i] = hostTable(L, h)
	}
	policy := e.hostPolicyNow()
	results := e.sched.Run(L, hosts, tables, block, sched.Options{
		Policy: p, MaxInFlight: e.opts.MaxHosts, KeepGoing: !policy.stopOthers,
		NewData: func(*host.Host) any { return e.contextOf(L).clone() },
	})
	dropThem, err := e.settleHosts(policy, len(hosts), results)
	dropThem()
	return err
}

// drop removes failed hosts from the rest of the run and says so.
func (e *Engine) drop(results []sched.HostResult) {
	for _, r := range results {
		if r.Err != nil {
			e.dropped[r.Host.Name] = true
			e.out.Warn(r.Err.Error() + "\n(host dropped for the rest of the run: on_error=\"continue\")")
		}
	}
}
