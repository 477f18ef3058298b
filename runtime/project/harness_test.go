package project

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
)

var fixedNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// loading are the verbs this package implements, with how the prelude
// wraps each ("plain": the global is the function; "": a raw function
// only the prelude calls). The DSL table, runtime/engine/verbs.go, lists
// them all; this copy of a part of it lets a test load a Deployfile
// without the engine, which imports this package.
var loading = []struct {
	name string
	fn   func(*Project, *lua.LState) int
	wrap string
}{
	{"set", (*Project).Set, ""}, {"var_get", (*Project).VarGet, ""}, {"var_has", (*Project).VarHas, ""},
	{"var_cache", (*Project).VarCache, ""}, {"var_abandon", (*Project).VarAbandon, ""},
	{"server", (*Project).Server, "plain"}, {"role", (*Project).Role, "plain"}, {"stage", (*Project).Stage, "plain"},
	{"namespace", (*Project).Namespace, "plain"}, {"desc", (*Project).Desc, "plain"}, {"task", (*Project).Task, "plain"},
	{"before", (*Project).Before, "plain"}, {"after", (*Project).After, "plain"}, {"clear", (*Project).Clear, "plain"},
	{"alias", (*Project).Alias, "plain"}, {"use", (*Project).Use, "plain"},
}

// newTestProject is a project with the prelude loaded. The running
// verbs' raw functions raise when called: a Deployfile that loads here
// runs no command.
func newTestProject(t *testing.T) *Project {
	t.Helper()
	p := New(Options{Now: fixedNow, Transports: []string{"ssh", "local"}})
	t.Cleanup(p.Close)
	L := p.Lua()
	raw, wraps := L.NewTable(), L.NewTable()
	for _, v := range loading {
		fn := v.fn
		raw.RawSetString(v.name, L.NewFunction(func(L *lua.LState) int { return fn(p, L) }))
		if v.wrap != "" {
			wraps.RawSetString(v.name, lua.LString(v.wrap))
		}
	}
	running := L.NewTable()
	running.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		name := L.CheckString(2)
		L.Push(L.NewFunction(func(L *lua.LState) int {
			L.RaiseError("%s belongs to runtime/engine: not in a project test", name)
			return 0
		}))
		return 1
	}))
	raw.RawSetString("caught", L.NewFunction(func(*lua.LState) int { return 0 })) // pcall's note to the engine
	L.SetMetatable(raw, running)
	if err := p.LoadPrelude(raw, wraps); err != nil {
		t.Fatal(err)
	}
	return p
}

// loadTree writes files (path: source) into a fresh directory and loads
// its Deployfile.lua into p; it returns the directory.
func loadTree(t *testing.T, p *Project, files map[string]string) (string, error) {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, p.LoadFile(filepath.Join(dir, "Deployfile.lua"))
}

// errText is err's text with dir shown as DIR; "" for no error.
func errText(err error, dir string) string {
	if err == nil {
		return ""
	}
	return strings.ReplaceAll(err.Error(), dir, "DIR")
}

// The harness loads what a Deployfile declares and refuses what it would
// run: the line between this package and runtime/engine.
func TestHarnessLoadsButRunsNothing(t *testing.T) {
	p := newTestProject(t)
	dir, err := loadTree(t, p, map[string]string{"Deployfile.lua": `
set("application", "shop")
set_if_empty("branch", "main")
server("h1", { transport = "local", roles = { "web" } })
namespace("deploy", function() desc("Says hi"); task("hi", function() end) end)`})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := p.Setting("branch"); got != "main" {
		t.Errorf("branch = %q, want main", got)
	}
	if _, ok := p.Tasks.Lookup("deploy:hi"); !ok || len(p.Hosts.All()) != 1 {
		t.Errorf("tasks %v, hosts %d: want deploy:hi and one host", p.Tasks.Names(), len(p.Hosts.All()))
	}
	err = p.LoadString("run.lua", `on("all", function() end)`)
	if got := errText(err, dir); !strings.Contains(got, "belongs to runtime/engine") {
		t.Errorf("on() while loading: %q, want the harness's refusal", got)
	}
}
