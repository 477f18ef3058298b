package engine

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/luacap/luacap/runtime/luaval"
	lua "github.com/yuin/gopher-lua"
)

// recipePrefix names bundled recipes in errors and --show.
const recipePrefix = "recipes/"

// libDir holds Lua code the bundled recipes share, as modules:
// lib/releases.lua is require("luacap.recipes.releases").
const libDir = "lib"

// LoadRecipes loads the bundled recipes named, from fsys, before the
// Deployfile; fsys also serves use() and --show.
func (e *Engine) LoadRecipes(fsys fs.FS, names []string) error {
	e.recipes = fsys
	if err := e.preloadLib(); err != nil {
		return err
	}
	for _, n := range names {
		if err := e.loadRecipe(n); err != nil {
			return err
		}
	}
	return nil
}

func (e *Engine) loadRecipe(file string) error {
	if e.used == nil {
		e.used = map[string]bool{}
	}
	if e.used[file] {
		return nil
	}
	src, err := fs.ReadFile(e.recipes, file)
	if err != nil {
		return err
	}
	e.used[file] = true
	return e.LoadString(recipePrefix+file, string(src))
}

// preloadLib makes every lib/*.lua file a module recipes can require, so
// what they share is not a global in the user's Deployfile.
func (e *Engine) preloadLib() error {
	files, _ := fs.Glob(e.recipes, libDir+"/*.lua")
	preload := e.L.GetField(e.L.GetField(e.L.Get(lua.GlobalsIndex), "package"), "preload")
	for _, file := range files {
		src, err := fs.ReadFile(e.recipes, file)
		if err != nil {
			return err
		}
		fn, err := e.L.Load(strings.NewReader(string(src)), recipePrefix+file)
		if err != nil {
			return &LoadError{Err: luaval.LoadMessage(recipePrefix+file, err)}
		}
		name := "luacap.recipes." + strings.TrimSuffix(path.Base(file), ".lua")
		e.L.SetField(preload, name, fn)
	}
	return nil
}

// use(name) loads an opt-in bundled recipe, such as use("passenger"),
// or a file of the user's, such as use("./lib/deploy/sidekiq").
func (e *Engine) luaUse(L *lua.LState) int {
	name := L.CheckString(1)
	if isLocalPath(name) {
		e.useFile(L, name)
		return 0
	}
	if e.recipes == nil {
		L.RaiseError("use(%q): no bundled recipes in this run", name)
	}
	file := name + ".lua"
	if _, err := fs.Stat(e.recipes, file); err != nil || strings.HasPrefix(name, libDir+"/") {
		L.RaiseError("use(%q): there is no such recipe; the recipes are %s", name, strings.Join(e.recipeNames(), ", "))
	}
	if err := e.loadRecipe(file); err != nil {
		L.RaiseError("%v", err)
	}
	return 0
}

// isLocalPath tells a file's path from a bundled recipe's name, which
// never starts with . or /.
func isLocalPath(name string) bool {
	return strings.HasPrefix(name, "./") || strings.HasPrefix(name, "../") || filepath.IsAbs(name)
}

// useFile loads the recipe file name, relative to the directory of the
// file that calls use(), once: a second use() of it does nothing.
func (e *Engine) useFile(L *lua.LState, name string) {
	from := e.callerFile(L)
	file := filepath.Join(filepath.Dir(from), name)
	if filepath.Ext(file) != ".lua" {
		file += ".lua"
	}
	if info, err := os.Stat(file); err != nil || info.IsDir() {
		L.RaiseError("use(%q): there is no file %s (the path is relative to the directory of %s)", name, file, from)
	}
	key, err := filepath.Abs(file)
	if err != nil {
		L.RaiseError("use(%q): %v", name, err)
	}
	if e.used == nil {
		e.used = map[string]bool{}
	}
	if e.used[key] {
		return
	}
	e.used[key] = true
	if err := e.LoadFile(file); err != nil {
		L.RaiseError("%v", err)
	}
}

// callerFile is the file of the Lua function that called use(): the
// Deployfile, a stage file or a recipe file. A bundled recipe, or a call
// from Go, counts as the Deployfile.
func (e *Engine) callerFile(L *lua.LState) string {
	deployfile := e.file
	if deployfile == "" {
		deployfile = "Deployfile.lua" // a Deployfile given as a string, in tests
	}
	dbg, ok := L.GetStack(1)
	if !ok {
		return deployfile
	}
	if _, err := L.GetInfo("S", dbg, lua.LNil); err != nil {
		return deployfile
	}
	src := strings.TrimPrefix(dbg.Source, "@")
	if src == "" || src == "[G]" || strings.HasPrefix(src, "luacap/") || e.isBundled(src) {
		return deployfile
	}
	return src
}

// isBundled reports whether a chunk is a bundled recipe this run loaded.
func (e *Engine) isBundled(chunk string) bool {
	rest, ok := strings.CutPrefix(chunk, recipePrefix)
	return ok && e.used[rest]
}

func (e *Engine) recipeNames() []string {
	var out []string
	fs.WalkDir(e.recipes, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && path.Ext(p) == ".lua" && !strings.HasPrefix(p, libDir+"/") {
			out = append(out, strings.TrimSuffix(p, ".lua"))
		}
		return nil
	})
	sort.Strings(out)
	return out
}
