package sched

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/runner"
)

// hangGuard bounds every wait, so a scheduler that never starts or never
// resumes a fiber fails the test instead of hanging it. It asserts
// nothing about speed.
const hangGuard = 20 * time.Second

// harness gives Lua a `work(name)` function whose work, once started off
// the owner goroutine, waits until the test releases it, and fails for
// names that start with "fail". The test plays the hosts: it waits for
// the works it expects to start and ends them one at a time, so the
// scheduler's every step follows from what the test did, not from timing.
type harness struct {
	L   *lua.LState
	s   *Scheduler
	log []string // on the owner goroutine only: "call x" when Lua asks for work, "got x" when the fiber has its result

	started   chan string // a work runs: its name
	delivered chan string // a fiber has its work's result: the work's name
	mu        sync.Mutex
	gates     map[string]chan struct{}
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	h := &harness{L: lua.NewState(), started: make(chan string, 100), delivered: make(chan string, 100), gates: map[string]chan struct{}{}}
	t.Cleanup(h.L.Close)
	t.Cleanup(cancel) // first: work still waiting gives up, so the run ends before the state closes
	h.s = New(func() context.Context { return ctx })
	h.L.SetGlobal("raw_work", h.L.NewFunction(h.work))
	h.L.SetGlobal("note_result", h.L.NewFunction(func(L *lua.LState) int {
		name := L.CheckString(1)
		h.log = append(h.log, "got "+name)
		h.delivered <- name
		return 0
	}))
	if err := h.L.DoString(`function work(name) local ok, v = raw_work(name); note_result(name); return ok, v end`); err != nil {
		t.Fatal(err)
	}
	return h
}

// work is raw_work(name): it runs on the owner goroutine; the work it
// hands to Await runs on its own.
func (h *harness) work(L *lua.LState) int {
	name := L.CheckString(1)
	h.log = append(h.log, "call "+name)
	return h.s.Await(L, func(ctx context.Context) (Deliver, error) {
		h.started <- name
		select {
		case <-h.gate(name):
		case <-ctx.Done():
			return nil, errors.New(name + " was never released")
		}
		if strings.HasPrefix(name, "fail") {
			return nil, errors.New(name + " failed")
		}
		return func(L *lua.LState) []lua.LValue { return []lua.LValue{lua.LString("did " + name)} }, nil
	})
}

func (h *harness) gate(name string) chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.gates[name] == nil {
		h.gates[name] = make(chan struct{})
	}
	return h.gates[name]
}

// run starts Run on a goroutine of its own, which owns the Lua state
// until Run returns; the test goroutine only drives the work.
func (h *harness) run(t *testing.T, fn string, opts Options, names ...string) <-chan []HostResult {
	t.Helper()
	hosts, tables := hostsNamed(t, names...)
	f := h.fn(t, fn)
	done, over := make(chan []HostResult, 1), make(chan struct{})
	go func() {
		defer close(over)
		done <- h.s.Run(h.L, hosts, tables, f, opts)
	}()
	t.Cleanup(func() { <-over })
	return done
}

// script drives a run: "start a b" waits until exactly the works a and b
// have started, in any order; "end a" lets a end and waits until its
// fiber has the result (so the next "end" cannot overtake it).
func (h *harness) script(t *testing.T, steps ...string) {
	t.Helper()
	for _, step := range steps {
		verb, names := strings.Fields(step)[0], strings.Fields(step)[1:]
		switch verb {
		case "start":
			h.expect(t, step, names)
		case "end":
			close(h.gate(names[0]))
			h.receive(t, h.delivered, step, names[0])
		default:
			t.Fatalf("bad step %q", step)
		}
	}
}

func (h *harness) expect(t *testing.T, step string, names []string) {
	t.Helper()
	for range names {
		select {
		case got := <-h.started:
			if !slices.Contains(names, got) {
				t.Fatalf("%s: %s started instead", step, got)
			}
		case <-time.After(hangGuard):
			t.Fatalf("%s: never started", step)
		}
	}
}

func (h *harness) receive(t *testing.T, ch <-chan string, step, want string) {
	t.Helper()
	select {
	case got := <-ch:
		if got != want {
			t.Fatalf("%s: %s was delivered instead", step, got)
		}
	case <-time.After(hangGuard):
		t.Fatalf("%s: the fiber never got its result", step)
	}
}

// finish waits for the run's results; no work may have started that the
// script did not expect.
func (h *harness) finish(t *testing.T, done <-chan []HostResult) []HostResult {
	t.Helper()
	select {
	case res := <-done:
		select {
		case name := <-h.started:
			t.Errorf("%s started, which the script did not expect", name)
		default:
		}
		return res
	case <-time.After(hangGuard):
		t.Fatal("Run never returned")
		return nil
	}
}

// logged is the owner's log; read it only while the owner waits on the
// test (between steps) or after Run returned.
func (h *harness) logged() string { return strings.Join(h.log, ", ") }

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
	local ok, got = work(name)
	assert(ok and got == "did " .. name, "wrong delivery to " .. name .. ": " .. tostring(got))
	work(name .. "-second")
end`

// Which fibers run together follows the policy: the owner's calls and
// deliveries come in exactly the order the policy allows, given the order
// the test ends the work in.
func TestPoliciesOrder(t *testing.T) {
	tests := []struct {
		name   string
		opts   Options
		hosts  []string
		fn     string
		script []string
		want   string
	}{
		{"sequence: one host after the other", Options{Policy: runner.Policy{Mode: runner.Sequence}}, []string{"a", "b", "c"}, block,
			[]string{"start a", "end a", "start a-second", "end a-second", "start b", "end b", "start b-second", "end b-second",
				"start c", "end c", "start c-second", "end c-second"},
			"call a, got a, call a-second, got a-second, call b, got b, call b-second, got b-second, " +
				"call c, got c, call c-second, got c-second"},
		{"groups of 2: the next group after the whole group", Options{Policy: runner.Policy{Mode: runner.Groups, Limit: 2}}, []string{"a", "b", "c"}, block,
			[]string{"start a b", "end a", "start a-second", "end b", "start b-second", "end a-second", "end b-second",
				"start c", "end c", "start c-second", "end c-second"},
			"call a, call b, got a, call a-second, got b, call b-second, got a-second, got b-second, " +
				"call c, got c, call c-second, got c-second"},
		{"parallel: every host at once", Options{Policy: runner.Policy{Mode: runner.Parallel}}, []string{"a", "b", "c", "d"}, block,
			[]string{"start a b c d", "end b", "start b-second", "end a", "start a-second", "end d", "start d-second",
				"end c", "start c-second", "end a-second", "end b-second", "end c-second", "end d-second"},
			"call a, call b, call c, call d, got b, call b-second, got a, call a-second, got d, call d-second, " +
				"got c, call c-second, got a-second, got b-second, got c-second, got d-second"},
		{"max 1 in flight bounds parallel", Options{Policy: runner.Policy{Mode: runner.Parallel}, MaxInFlight: 1}, []string{"a", "b", "c"},
			`function(n) work(n) end`,
			[]string{"start a", "end a", "start b", "end b", "start c", "end c"},
			"call a, got a, call b, got b, call c, got c"},
		{"max 2 in flight: a host starts when one ends", Options{Policy: runner.Policy{Mode: runner.Parallel}, MaxInFlight: 2}, []string{"a", "b", "c"},
			`function(n) work(n) end`,
			[]string{"start a b", "end b", "start c", "end a", "end c"},
			"call a, call b, got b, call c, got a, got c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			done := h.run(t, tt.fn, tt.opts, tt.hosts...)
			h.script(t, tt.script...)
			for _, r := range h.finish(t, done) {
				if r.Err != nil || r.Stopped {
					t.Errorf("%s: %v stopped=%v", r.Host, r.Err, r.Stopped)
				}
			}
			if got := h.logged(); got != tt.want {
				t.Errorf("order:\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// When a host fails, the hosts running a command finish it and run the
// code after it, and are stopped when they ask for the next command.
func TestFailureLetsOthersFinishTheirCommand(t *testing.T) {
	h := newHarness(t)
	done := h.run(t, `function(n)
		local ok, err = work(n)
		if not ok then error(err) end
		registered = (registered or 0) + 1 -- code after a finished command still runs
		work(n .. "-next")
	end`, Options{Policy: runner.Policy{Mode: runner.Parallel}}, "fail1", "b", "c")
	h.script(t, "start fail1 b c", "end fail1", "end b", "end c")
	res := h.finish(t, done)
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
	}
	// b-next and c-next were asked for and never started (finish checks).
	if want := "call fail1, call b, call c, got fail1, got b, call b-next, got c, call c-next"; h.logged() != want {
		t.Errorf("order:\n%s\nwant\n%s", h.logged(), want)
	}
}

// After a failure no new host starts, unless the task keeps going.
func TestAFailureStartsNoNewHostUnlessKeepGoing(t *testing.T) {
	tests := []struct {
		keepGoing bool
		script    []string
		stopped   []bool // of b and c
		log       string
	}{
		{false, []string{"start fail1", "end fail1"}, []bool{true, true}, "call fail1, got fail1"},
		{true, []string{"start fail1", "end fail1", "start b", "end b", "start b-next", "end b-next",
			"start c", "end c", "start c-next", "end c-next"}, []bool{false, false},
			"call fail1, got fail1, call b, got b, call b-next, got b-next, call c, got c, call c-next, got c-next"},
	}
	for _, tt := range tests {
		h := newHarness(t)
		done := h.run(t, `function(n) local ok, err = work(n); if not ok then error(err) end; work(n .. "-next") end`,
			Options{Policy: runner.Policy{Mode: runner.Sequence}, KeepGoing: tt.keepGoing}, "fail1", "b", "c")
		h.script(t, tt.script...)
		res := h.finish(t, done)
		if res[0].Err == nil || res[1].Err != nil || res[2].Err != nil || res[1].Stopped != tt.stopped[0] || res[2].Stopped != tt.stopped[1] {
			t.Errorf("keep going %v: results = %+v", tt.keepGoing, res)
		}
		if got := h.logged(); got != tt.log {
			t.Errorf("keep going %v: order\n%s\nwant\n%s", tt.keepGoing, got, tt.log)
		}
	}
}

func TestAwaitAtTaskLevelBlocks(t *testing.T) {
	h := newHarness(t)
	close(h.gate("main")) // at task level the work runs on this goroutine: nothing else could end it
	close(h.gate("fail-main"))
	if err := h.L.DoString(`ok, got = work("main")`); err != nil {
		t.Fatal(err)
	}
	if got := h.L.GetGlobal("got").String(); got != "did main" {
		t.Errorf("got = %q", got)
	}
	if err := h.L.DoString(`ok, msg = work("fail-main")`); err != nil {
		t.Fatal(err)
	}
	if h.L.GetGlobal("ok") != lua.LFalse || h.L.GetGlobal("msg").String() != "fail-main failed" {
		t.Errorf("failure at task level = %v, %v", h.L.GetGlobal("ok"), h.L.GetGlobal("msg"))
	}
}

func TestBareYieldIsAnError(t *testing.T) {
	h := newHarness(t)
	done := h.run(t, `function() coroutine.yield() end`, Options{Policy: runner.Policy{Mode: runner.Parallel}}, "a")
	res := h.finish(t, done)
	want := "coroutine.yield() is not allowed directly in an on() block"
	if res[0].Err == nil || res[0].Err.Error() != want {
		t.Errorf("err = %v, want %q", res[0].Err, want)
	}
}

// A fiber that ends with an error carries the work's failure behind it,
// unless the block said it caught that failure (the prelude's pcall).
func TestAFiberCarriesTheFailureNoPcallCaught(t *testing.T) {
	h := newHarness(t)
	h.L.SetGlobal("caught", h.L.NewFunction(func(L *lua.LState) int { h.s.Caught(L); return 0 }))
	done := h.run(t, `function(n)
		local ok, err = work(n)
		if n == "fail2" then caught() end
		error(err)
	end`, Options{Policy: runner.Policy{Mode: runner.Parallel}, KeepGoing: true}, "fail1", "fail2")
	h.script(t, "start fail1 fail2", "end fail1", "end fail2")
	res := h.finish(t, done)
	if res[0].Err == nil || res[0].Failure == nil || res[0].Failure.Error() != "fail1 failed" {
		t.Errorf("fail1 = %+v, want its error with the work's failure behind it", res[0])
	}
	if res[1].Err == nil || res[1].Failure != nil {
		t.Errorf("fail2 = %+v, want its error and no failure: the block caught it", res[1])
	}
}
