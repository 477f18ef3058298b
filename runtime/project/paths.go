package project

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Paths on this machine are relative to the Deployfile's directory, not
// to wherever luacap was started, so `luacap -f app/Deployfile.lua` and a
// run from a subdirectory read the same files. Paths on the servers are
// absolute: a relative one would depend on the login directory.

// localPathSettings name paths on this machine; fetch() returns them
// resolved against the Deployfile's directory, whoever reads them.
// (repo_url is a local path only to the copy strategy: resolved there.)
var localPathSettings = map[string]bool{"copy_source": true, "local_repo": true, "archive_output": true}

// settingValue is what fetch(name) returns for the stored value v.
func (p *Project) settingValue(name string, v lua.LValue) lua.LValue {
	if s, ok := v.(lua.LString); ok && localPathSettings[name] {
		return lua.LString(p.LocalPath(string(s)))
	}
	return v
}

// deployDir is the Deployfile's directory, as given (relative when the
// Deployfile's path is), so messages and dry runs stay short.
func (p *Project) deployDir() string {
	if p.file == "" {
		return "."
	}
	return filepath.Dir(p.file)
}

// LocalPath resolves path against the Deployfile's directory. Absolute
// paths and ~ (which only a shell expands) are kept as they are.
func (p *Project) LocalPath(path string) string {
	if path == "" || filepath.IsAbs(path) || strings.HasPrefix(path, "~") {
		return path
	}
	return filepath.Join(p.deployDir(), path)
}

// extendPackagePath lets require() find the Deployfile's own modules,
// lib/deploy/NAME.lua, lib/deploy/NAME/init.lua and NAME.lua beside the
// Deployfile, before the places Lua looks by default.
func (p *Project) extendPackagePath() {
	pkg := p.l.GetGlobal("package")
	dir := p.deployDir()
	ours := []string{
		filepath.Join(dir, "lib", "deploy", "?.lua"),
		filepath.Join(dir, "lib", "deploy", "?", "init.lua"),
		filepath.Join(dir, "?.lua"),
	}
	old := lua.LVAsString(p.l.GetField(pkg, "path"))
	p.l.SetField(pkg, "path", lua.LString(strings.Join(append(ours, old), ";")))
}

// openPaths is require("luacap.paths"), for recipes:
//
//	local_path(p)     p resolved against the Deployfile's directory
//	absolute(p)       p made absolute, for tools that change directory (git -C)
//	real(p)           p made absolute with its symbolic links resolved: one
//	                  name for one directory however it was reached
//	remote_dir(name, value)  value, or nil and an error naming where name
//	                         was set, unless value is an absolute path
func (p *Project) openPaths(L *lua.LState) int {
	mod := L.SetFuncs(L.NewTable(), map[string]lua.LGFunction{
		"local_path": p.luaLocalPath,
		"absolute":   p.luaAbsolute,
		"real":       p.luaReal,
		"remote_dir": p.luaRemoteDir,
	})
	L.Push(mod)
	return 1
}

func (p *Project) luaLocalPath(L *lua.LState) int {
	if L.Get(1) == lua.LNil {
		L.Push(lua.LNil)
		return 1
	}
	L.Push(lua.LString(p.LocalPath(L.CheckString(1))))
	return 1
}

func (p *Project) luaAbsolute(L *lua.LState) int { return pathFunc(L, filepath.Abs) }

func (p *Project) luaReal(L *lua.LState) int { return pathFunc(L, realPath) }

// realPath is path absolute with the links resolved, or absolute alone where
// the path does not exist yet (the caller's own command then says so). A
// .. after a link leaves the link's target, as it does for a command:
// the path is not cleaned before the links are read.
func realPath(path string) (string, error) {
	if !filepath.IsAbs(path) {
		wd, err := os.Getwd()
		if err != nil {
			return "", err
		}
		path = wd + string(filepath.Separator) + path
	}
	if real, err := filepath.EvalSymlinks(path); err == nil {
		return real, nil
	}
	return filepath.Clean(path), nil
}

// pathFunc pushes f of the path argument, nil for nil.
func pathFunc(L *lua.LState, f func(string) (string, error)) int {
	if L.Get(1) == lua.LNil {
		L.Push(lua.LNil)
		return 1
	}
	out, err := f(L.CheckString(1))
	if err != nil {
		L.RaiseError("%v", err)
	}
	L.Push(lua.LString(out))
	return 1
}

// luaRemoteDir checks a directory on the servers that the variable name
// holds: it returns it when it is absolute, or nil and an error that
// names where it was set.
func (p *Project) luaRemoteDir(L *lua.LState) int {
	name := L.CheckString(1)
	v := L.Get(2)
	if s, ok := v.(lua.LString); ok && strings.HasPrefix(string(s), "/") {
		L.Push(s)
		return 1
	}
	from := "set at " + p.setAt[name]
	if _, ok := p.opts.Overrides[name]; ok || p.setAt[name] == "" {
		from = "given with -s " + name
	}
	shown := "a " + v.Type().String()
	if s, ok := v.(lua.LString); ok {
		shown = fmt.Sprintf("%q", string(s))
	}
	L.Push(lua.LNil)
	L.Push(lua.LString(fmt.Sprintf("%s is %s (%s): it must be an absolute path on the servers, such as \"/var/www/app\"; "+
		"a relative one would depend on the login directory", name, shown, from)))
	return 2
}
