package project

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
func (p *Project) LoadRecipes(fsys fs.FS, names []string) error {
	p.recipes.fsys = fsys
	if err := p.preloadLib(); err != nil {
		return err
	}
	for _, n := range names {
		if err := p.loadRecipe(n); err != nil {
			return err
		}
	}
	return nil
}

func (p *Project) loadRecipe(file string) error {
	if p.recipes.used[file] {
		return nil
	}
	src, err := fs.ReadFile(p.recipes.fsys, file)
	if err != nil {
		return err
	}
	p.recipes.used[file] = true
	return p.LoadString(recipePrefix+file, string(src))
}

// preloadLib makes every lib/*.lua file a module recipes can require, so
// what they share is not a global in the user's Deployfile.
func (p *Project) preloadLib() error {
	files, _ := fs.Glob(p.recipes.fsys, libDir+"/*.lua")
	preload := p.l.GetField(p.l.GetField(p.l.Get(lua.GlobalsIndex), "package"), "preload")
	for _, file := range files {
		src, err := fs.ReadFile(p.recipes.fsys, file)
		if err != nil {
			return err
		}
		fn, err := p.l.Load(strings.NewReader(string(src)), recipePrefix+file)
		if err != nil {
			return &LoadError{Err: luaval.LoadMessage(recipePrefix+file, err)}
		}
		name := "luacap.recipes." + strings.TrimSuffix(path.Base(file), ".lua")
		p.l.SetField(preload, name, fn)
	}
	return nil
}

// Use is use(name): it loads an opt-in bundled recipe, such as
// use("passenger"), or a file of the user's, such as use("./lib/deploy/sidekiq").
func (p *Project) Use(L *lua.LState) int {
	name := L.CheckString(1)
	if isLocalPath(name) {
		p.useFile(L, name)
		return 0
	}
	if p.recipes.fsys == nil {
		L.RaiseError("use(%q): no bundled recipes in this run", name)
	}
	file := name + ".lua"
	if _, err := fs.Stat(p.recipes.fsys, file); err != nil || strings.HasPrefix(name, libDir+"/") {
		L.RaiseError("use(%q): there is no such recipe; the recipes are %s", name, strings.Join(p.recipeNames(), ", "))
	}
	if err := p.loadRecipe(file); err != nil {
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
func (p *Project) useFile(L *lua.LState, name string) {
	from := p.callerFile(L)
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
	if p.recipes.used[key] {
		return
	}
	p.recipes.used[key] = true
	if err := p.LoadFile(file); err != nil {
		L.RaiseError("%v", err)
	}
}

// callerFile is the file of the Lua function that called use(): the
// Deployfile, a stage file or a recipe file. A bundled recipe, or a call
// from Go, counts as the Deployfile.
func (p *Project) callerFile(L *lua.LState) string {
	deployfile := p.file
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
	if src == "" || src == "[G]" || strings.HasPrefix(src, "luacap/") || p.isBundled(src) {
		return deployfile
	}
	return src
}

// isBundled reports whether a chunk is a bundled recipe this run loaded.
func (p *Project) isBundled(chunk string) bool {
	rest, ok := strings.CutPrefix(chunk, recipePrefix)
	return ok && p.recipes.used[rest]
}

func (p *Project) recipeNames() []string {
	var out []string
	fs.WalkDir(p.recipes.fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && path.Ext(p) == ".lua" && !strings.HasPrefix(p, libDir+"/") {
			out = append(out, strings.TrimSuffix(p, ".lua"))
		}
		return nil
	})
	sort.Strings(out)
	return out
}
