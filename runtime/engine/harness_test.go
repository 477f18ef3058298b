package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/output"
)

// fixedNow names every test release 20260102030405.
var fixedNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

type testRun struct {
	e   *Engine
	out *strings.Builder
	dir string
}

type setup func(*Options)

func dryRun(o *Options)                                 { o.DryRun = true }
func overrides(m map[string]string) setup               { return func(o *Options) { o.Overrides = m } }
func prompt(f func(string, bool) (string, error)) setup { return func(o *Options) { o.Prompt = f } }

// load writes src as Deployfile.lua in a fresh directory (where the
// Lua code can reach it as fetch("dir")) and loads it.
func load(t *testing.T, src string, setups ...setup) *testRun {
	t.Helper()
	r, err := tryLoad(t, src, setups...)
	if err != nil {
		t.Fatalf("loading the Deployfile: %v", err)
	}
	return r
}

// newTestEngine is an engine whose output goes to the returned builder,
// at the fixed time, with setups applied.
func newTestEngine(t *testing.T, setups ...setup) (*Engine, *strings.Builder) {
	t.Helper()
	var b strings.Builder
	opts := Options{Out: output.New(&b, output.Options{Level: output.Normal, Now: func() time.Time { return fixedNow }}), Now: fixedNow}
	for _, s := range setups {
		s(&opts)
	}
	e, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e, &b
}

func tryLoad(t *testing.T, src string, setups ...setup) (*testRun, error) {
	t.Helper()
	dir := t.TempDir()
	e, b := newTestEngine(t, setups...)
	e.p.Vars.Set("dir", lua.LString(dir))
	file := filepath.Join(dir, "Deployfile.lua")
	if err := os.WriteFile(file, []byte("trace = {}\n"+src), 0o644); err != nil {
		t.Fatal(err)
	}
	return &testRun{e: e, out: b, dir: dir}, e.LoadFile(file)
}

// run runs tasks and returns the error.
func (r *testRun) run(names ...string) error {
	return r.e.Run(context.Background(), names)
}

// mustRun runs tasks and fails the test on error.
func (r *testRun) mustRun(t *testing.T, names ...string) {
	t.Helper()
	if err := r.run(names...); err != nil {
		t.Fatalf("run %v: %v\noutput:\n%s", names, err, r.out)
	}
}

// trace is what the Lua code appended to the global trace table.
func (r *testRun) trace() []string {
	var out []string
	if t, ok := r.e.p.Lua().GetGlobal("trace").(*lua.LTable); ok {
		t.ForEach(func(_, v lua.LValue) { out = append(out, v.String()) })
	}
	return out
}

func wantTrace(t *testing.T, r *testRun, want ...string) {
	t.Helper()
	if got := strings.Join(r.trace(), "\n"); got != strings.Join(want, "\n") {
		t.Errorf("trace:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}

// errText returns err's text with the test's temporary directory shown as DIR.
func (r *testRun) errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return strings.ReplaceAll(err.Error(), r.dir, "DIR")
}

// localHosts declares n local servers named h1..hn with the given roles.
const localHosts = `
server("h1", { transport = "local", roles = { "web", "app" } })
server("h2", { transport = "local", roles = { "web" } })
server("h3", { transport = "local", roles = { "db" }, primary = true })
`
