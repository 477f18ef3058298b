package engine

import (
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/luacap/luacap/runtime/luameta"
	"github.com/luacap/luacap/runtime/project"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/recipes"
	"github.com/luacap/luacap/runtime/output"
)

// optIn are the bundled recipes use() loads: their globals count too.
var optIn = []string{"passenger", "rails/assets", "rails/assets_local"}

// loadedEngine is an engine with the project.Prelude, the core recipes and every
// opt-in recipe loaded: every name luacap gives Lua code exists in it.
func loadedEngine(t *testing.T) *Engine {
	t.Helper()
	e, err := New(Options{Out: output.New(io.Discard, output.Options{})})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	if err := e.LoadRecipes(recipes.FS, recipes.Core); err != nil {
		t.Fatal(err)
	}
	for _, name := range optIn {
		if err := e.LoadString("use "+name, "use(\""+name+"\")"); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// tableKeys are the string keys of t, sorted.
func tableKeys(t *lua.LTable) []string {
	var out []string
	t.ForEach(func(k, _ lua.LValue) {
		if s, ok := k.(lua.LString); ok {
			out = append(out, string(s))
		}
	})
	sort.Strings(out)
	return out
}

// namesOf are the names of the table's entries of kinds, sorted.
func namesOf(kinds ...Kind) []string {
	var out []string
	for _, v := range verbs {
		if slices.Contains(kinds, v.Kind) {
			out = append(out, v.Name)
		}
	}
	sort.Strings(out)
	return out
}

// sameNames fails when got and want differ, naming what each lacks.
func sameNames(t *testing.T, what string, got, want []string) {
	t.Helper()
	for _, g := range got {
		if !slices.Contains(want, g) {
			t.Errorf("%s %q exists but verbs.go does not list it: add a line for it", what, g)
		}
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("verbs.go lists the %s %q, which does not exist: remove its line", what, w)
		}
	}
}

// TestVerbsListEveryGlobal: the globals after loading are the standard
// library's and the table's, no more, no fewer. (The prelude's pcall and
// xpcall replace the standard ones and are not listed.)
func TestVerbsListEveryGlobal(t *testing.T) {
	bare := lua.NewState()
	defer bare.Close()
	builtin := tableKeys(bare.G.Global)
	var added []string
	for _, name := range tableKeys(loadedEngine(t).p.Lua().G.Global) {
		if !slices.Contains(builtin, name) {
			added = append(added, name)
		}
	}
	sameNames(t, "global", added, namesOf(Global, Plain, Checked))
}

// TestVerbsListEveryRaw: the raw functions the prelude's own Lua calls
// (raw.name) are the table's Raws and the Go of its Globals, so none is
// unused and none is missing; Plain and Checked verbs come from the table.
func TestVerbsListEveryRaw(t *testing.T) {
	values := []string{"release_name", "started_at", "local_machine", "luacap_pid"} // set by loadPrelude, not functions
	var used []string
	for _, m := range regexp.MustCompile(`raw\.([a-z_]+)`).FindAllStringSubmatch(project.Prelude, -1) {
		if !slices.Contains(used, m[1]) && !slices.Contains(values, m[1]) {
			used = append(used, m[1])
		}
	}
	var listed []string
	for _, v := range verbs {
		switch {
		case v.Go != nil && !v.global() && v.Kind != Raw:
			t.Errorf("%s: only a global or a raw has a Go function", v.Name)
		case v.Go == nil && (v.Kind == Raw || v.Kind == Plain || v.Kind == Checked):
			t.Errorf("%s: a raw, plain or checked verb needs its Go function", v.Name)
		case v.Go != nil && (v.Kind == Raw || v.Kind == Global):
			listed = append(listed, v.Name)
		}
	}
	sameNames(t, "raw function the prelude calls", used, listed)
}

// TestVerbsListEveryModule: the modules require finds are the table's,
// and each module's functions are its fields in the table.
func TestVerbsListEveryModule(t *testing.T) {
	e := loadedEngine(t)
	preload := e.p.Lua().GetField(e.p.Lua().GetField(e.p.Lua().G.Global, "package"), "preload").(*lua.LTable)
	sameNames(t, "module", tableKeys(preload), namesOf(Module, Library))
	for _, m := range namesOf(Module) {
		if err := e.p.Lua().DoString(`module_under_test = require("` + m + `")`); err != nil {
			t.Fatal(err)
		}
		var fields []string
		for _, k := range tableKeys(e.p.Lua().GetGlobal("module_under_test").(*lua.LTable)) {
			fields = append(fields, m+"."+k)
		}
		var listed []string
		for _, f := range namesOf(Field) {
			if strings.HasPrefix(f, m+".") {
				listed = append(listed, f)
			}
		}
		sameNames(t, "module function", fields, listed)
	}
}

// TestVerbsDocumented: every entry has a one-line doc, and every global
// and module function a signature the meta generator reads.
func TestVerbsDocumented(t *testing.T) {
	seen := map[string]bool{}
	for _, v := range verbs {
		if seen[v.Name] {
			t.Errorf("%s is listed twice", v.Name)
		}
		seen[v.Name] = true
		if v.Doc == "" || strings.Contains(v.Doc, "\n") {
			t.Errorf("%s: the doc must be one line, not %q", v.Name, v.Doc)
		}
		needsSig := v.global() || v.Kind == Field
		if needsSig != (v.Sig != "") {
			t.Errorf("%s: a signature is for globals and module functions only (got %q)", v.Name, v.Sig)
		}
		if needsSig {
			if err := luameta.CheckSig(v.Sig); err != nil {
				t.Errorf("%s: %v", v.Name, err)
			}
		}
	}
}
