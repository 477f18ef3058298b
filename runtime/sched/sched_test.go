package sched

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/runner"
)

// harness gives Lua a `work(name, ms)` function that records when work
// starts and ends, sleeps ms off the owner goroutine, and fails for
// names that start with "fail".
type harness struct {
	L   *lua.LState
	s   *Scheduler
	mu  sync.Mutex
	log []string
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{L: lua.NewState()}
	t.Cleanup(h.L.Close)
	h.s = New(context.Background)
	h.L.SetGlobal("work", h.L.NewFunction(func(L *lua.LState) int {
		name, ms := L.CheckString(1), L.CheckInt(2)
		return h.s.Await(L, func(ctx context.Context) (Deliver, error) {
			h.record("start " + name)
			time.Sleep(time.Duration(ms) * time.Millisecond)
			h.record("end " + name)
			if strings.HasPrefix(name, "fail") {
				return nil, errors.New(name + " failed")
			}
			return func(L *lua.LState) []lua.LValue { return []lua.LValue{lua.LString("did " + name)} }, nil
		})
	}))
	return h
}

func (h *harness) record(s string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.log = append(h.log, s)
}

func (h *harness) fn(t *testing.T, src string) *lua.LFunction {
	t.Helper()
	if err := h.L.DoString("return " + src); err != nil {
		t.Fatal(err)
	}
	fn := h.L.Get(-1).(*lua.LFunction)
	h.L.Pop(1)
	return fn
}

func hostsNamed(t *testing.T, names ...string) ([]*host.Host, []lua.LValue) {
	t.Helper()
	var hosts []*host.Host
	var tables []lua.LValue
	for _, n := range names {
		h, err := host.Parse(n)
		if err != nil {
			t.Fatal(err)
		}
		hosts = append(hosts, h)
		tables = append(tables, lua.LString(n))
	}
	return hosts, tables
}

// The block runs two pieces of work; the value the first returns must
// come back into the fiber that asked for it.
const block = `function(name)
	local ok, got = work(name, 30)
	assert(ok and got == "did " .. name, "wrong delivery to " .. name .. ": " .. tostring(got))
	work(name .. "-second", 10)
end`

func TestPoliciesOrder(t *testing.T) {
	tests := []struct {
		policy runner.Policy
		want   []string
	}{
		{runner.Policy{Mode: runner.Sequence}, []string{
			"start a", "end a", "start a-second", "end a-second",
			"start b", "end b", "start b-second", "end b-second",
			"start c", "end c", "start c-second", "end c-second"}},
		{runner.Policy{Mode: runner.Groups, Limit: 2}, nil}, // checked below
	}
	for _, tt := range tests {
		h := newHarness(t)
		hosts, tables := hostsNamed(t, "a", "b", "c")
		res := h.s.Run(h.L, hosts, tables, h.fn(t, block), Options{Policy: tt.policy})
		for _, r := range res {
			if r.Err != nil || r.Stopped {
				t.Fatalf("%s: %v stopped=%v", r.Host, r.Err, r.Stopped)
			}
		}
		if tt.want != nil && strings.Join(h.log, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%s order:\n%v\nwant\n%v", tt.policy.Mode, h.log, tt.want)
		}
		if tt.policy.Mode == runner.Groups {
			// c starts only after a and b have both finished everything.
			c := indexOf(h.log, "start c")
			if c < indexOf(h.log, "end a-second") || c < indexOf(h.log, "end b-second") {
				t.Errorf("groups of 2 overlapped: %v", h.log)
			}
			if indexOf(h.log, "start b") > indexOf(h.log, "end a") {
				t.Errorf("a and b did not run together: %v", h.log)
			}
		}
	}
}

func TestParallelRunsTogether(t *testing.T) {
	h := newHarness(t)
	hosts, tables := hostsNamed(t, "a", "b", "c", "d")
	start := time.Now()
	h.s.Run(h.L, hosts, tables, h.fn(t, block), Options{Policy: runner.Policy{Mode: runner.Parallel}})
	for _, n := range []string{"a", "b", "c", "d"} {
		if indexOf(h.log, "start "+n) > indexOf(h.log, "end a") {
			t.Errorf("%s did not start before a ended: %v", n, h.log)
		}
	}
	if d := time.Since(start); d > 4*40*time.Millisecond {
		t.Logf("note: parallel run took %v", d) // informative only; the order above is the check
	}
}

func TestMaxInFlightBoundsParallel(t *testing.T) {
	h := newHarness(t)
	hosts, tables := hostsNamed(t, "a", "b", "c")
	h.s.Run(h.L, hosts, tables, h.fn(t, `function(n) work(n, 20) end`), Options{Policy: runner.Policy{Mode: runner.Parallel}, MaxInFlight: 1})
	want := "start a,end a,start b,end b,start c,end c"
	if got := strings.Join(h.log, ","); got != want {
		t.Errorf("with max 1 in flight: %s, want %s", got, want)
	}
}

func TestFailureLetsOthersFinishTheirCommand(t *testing.T) {
	h := newHarness(t)
	hosts, tables := hostsNamed(t, "fail1", "b", "c")
	fn := h.fn(t, `function(n)
		local ok, err = work(n, n == "fail1" and 10 or 60)
		if not ok then error(err) end
		registered = (registered or 0) + 1 -- code after a finished command still runs
		work(n .. "-next", 10)
	end`)
	res := h.s.Run(h.L, hosts, tables, fn, Options{Policy: runner.Policy{Mode: runner.Parallel}})
	if res[0].Err == nil || !strings.Contains(res[0].Err.Error(), "fail1 failed") {
		t.Errorf("fail1 result = %+v", res[0])
	}
	if got := h.L.GetGlobal("registered"); got != lua.LNumber(2) {
		t.Errorf("code after the finished commands ran %v times, want 2", got)
	}
	for _, r := range res[1:] {
		if !r.Stopped || r.Err != nil {
			t.Errorf("%s = %+v, want stopped", r.Host, r)
		}
		if indexOf(h.log, "end "+r.Host.Name) < 0 {
			t.Errorf("%s was cut off mid-command: %v", r.Host, h.log)
		}
		if indexOf(h.log, "start "+r.Host.Name+"-next") >= 0 {
			t.Errorf("%s went on after another host failed: %v", r.Host, h.log)
		}
	}
}

func TestKeepGoingRunsTheRest(t *testing.T) {
	h := newHarness(t)
	hosts, tables := hostsNamed(t, "fail1", "b", "c")
	fn := h.fn(t, `function(n) local ok, err = work(n, 10); if not ok then error(err) end; work(n .. "-next", 1) end`)
	res := h.s.Run(h.L, hosts, tables, fn, Options{Policy: runner.Policy{Mode: runner.Sequence}, KeepGoing: true})
	if res[0].Err == nil || res[1].Err != nil || res[2].Err != nil || res[2].Stopped {
		t.Errorf("results = %+v", res)
	}
	if indexOf(h.log, "end c-next") < 0 {
		t.Errorf("c did not run to the end: %v", h.log)
	}
}

func TestAwaitAtTaskLevelBlocks(t *testing.T) {
	h := newHarness(t)
	if err := h.L.DoString(`ok, got = work("main", 1)`); err != nil {
		t.Fatal(err)
	}
	if got := h.L.GetGlobal("got").String(); got != "did main" {
		t.Errorf("got = %q", got)
	}
	if err := h.L.DoString(`ok, msg = work("fail-main", 1)`); err != nil {
		t.Fatal(err)
	}
	if h.L.GetGlobal("ok") != lua.LFalse || h.L.GetGlobal("msg").String() != "fail-main failed" {
		t.Errorf("failure at task level = %v, %v", h.L.GetGlobal("ok"), h.L.GetGlobal("msg"))
	}
}

func TestBareYieldIsAnError(t *testing.T) {
	h := newHarness(t)
	hosts, tables := hostsNamed(t, "a")
	res := h.s.Run(h.L, hosts, tables, h.fn(t, `function() coroutine.yield() end`), Options{Policy: runner.Policy{Mode: runner.Parallel}})
	want := "a: coroutine.yield() is not allowed directly in an on() block"
	if res[0].Err == nil || res[0].Err.Error() != want {
		t.Errorf("err = %v, want %q", res[0].Err, want)
	}
}

func indexOf(log []string, s string) int {
	for i, l := range log {
		if l == s {
			return i
		}
	}
	return -1
}
