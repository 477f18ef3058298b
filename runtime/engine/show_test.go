package engine

import (
	"sort"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// everyRecipe loads the opt-in bundled recipes too, so every bundled task
// is shown.
const everyRecipe = `use("passenger"); use("rails/assets_local")
`

// helpers is a Deployfile whose task reaches locals of every kind: a
// multi-line table, a helper calling another helper, inside a namespace.
const helpers = `
local greeting = {
  word = "hello",
}
local unused = 1
local function shout(s) return s:upper() end
local function greet(name)
  return shout(greeting.word) .. " " .. name
end

namespace("demo", function()
  desc("Greets")
  task("greet", function() table.insert(trace, greet("h1")) end)
end)
`

// TestShowPrintsCodeThatRunsWhenPasted pastes what --show prints for
// every task, bundled or the Deployfile's, as a Deployfile of its own:
// it must load, define the task of the same name (not leave the bundled
// one in place), and find every local
// the original uses (helpers and the locals they use in turn) as a local,
// not as a missing global. Before, --show printed the task alone:
// deploy:restart used q, which pasted was nil.
func TestShowPrintsCodeThatRunsWhenPasted(t *testing.T) {
	orig, err := loadTree(t, map[string]string{"Deployfile.lua": everyRecipe + helpers}, "")
	if err != nil {
		t.Fatal(orig.errText(err))
	}
	for _, name := range orig.e.p.Tasks.Names() {
		task, _ := orig.e.p.Tasks.Lookup(name)
		fn, ok := task.Body.(*lua.LFunction)
		if !ok || task.Name != name {
			continue // a list of steps, or an alias
		}
		shown, err := orig.e.Show(name)
		if err != nil {
			t.Fatal(err)
		}
		pasted, err := loadTree(t, map[string]string{"Deployfile.lua": everyRecipe + shown}, "")
		if err != nil {
			t.Errorf("--show %s does not load when pasted: %v\n%s", name, pasted.errText(err), shown)
			continue
		}
		again, ok := pasted.e.p.Tasks.Lookup(name)
		if !ok || !strings.HasPrefix(again.Where, pasted.e.p.File()+":") {
			t.Errorf("--show %s, pasted, does not define %s:\n%s", name, name, shown)
			continue
		}
		if got, want := upvalueNames(again.Body.(*lua.LFunction)), upvalueNames(fn); got != want {
			t.Errorf("--show %s, pasted, reaches the locals %s; the original reaches %s:\n%s", name, got, want, shown)
		}
	}
}

// TestShowOfALocalTaskRunsTheSameWhenPasted runs the Deployfile's task
// and its --show, pasted, and compares what they did.
func TestShowOfALocalTaskRunsTheSameWhenPasted(t *testing.T) {
	orig, err := loadTree(t, map[string]string{"Deployfile.lua": helpers}, "")
	if err != nil {
		t.Fatal(orig.errText(err))
	}
	orig.mustRun(t, "demo:greet")
	shown, err := orig.e.Show("demo:greet")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(shown, "unused") {
		t.Errorf("--show printed a local the task does not use:\n%s", shown)
	}
	pasted, err := loadTree(t, map[string]string{"Deployfile.lua": shown}, "")
	if err != nil {
		t.Fatalf("%v\n%s", pasted.errText(err), shown)
	}
	pasted.mustRun(t, "demo:greet")
	wantTrace(t, pasted, orig.trace()...)
}

// upvalueNames are the names of the locals fn reaches, through the
// functions it reaches, sorted.
func upvalueNames(fn *lua.LFunction) string {
	seen := map[string]bool{}
	var walk func(*lua.LFunction)
	walk = func(f *lua.LFunction) {
		if f == nil || f.IsG || f.Proto == nil {
			return
		}
		for i, name := range f.Proto.DbgUpvalues {
			if seen[name] || i >= len(f.Upvalues) {
				continue
			}
			seen[name] = true
			if inner, ok := f.Upvalues[i].Value().(*lua.LFunction); ok {
				walk(inner)
			}
		}
	}
	walk(fn)
	var names []string
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}
