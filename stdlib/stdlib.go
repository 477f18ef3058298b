// Package stdlib holds the Lua modules luacap implements in Go, one file a
// module, each loaded with require "luacap.<name>".
package stdlib

import lua "github.com/yuin/gopher-lua"

// modules is the one ordered list of modules; each opens like gopher-lua's
// own libraries, returning its table.
var modules = []struct {
	name string
	open lua.LGFunction
}{
	{"luacap.shell", OpenShell},
	{"luacap.release", OpenRelease},
}

// Preload makes every module available to require.
func Preload(L *lua.LState) {
	for _, m := range modules {
		L.PreloadModule(m.name, m.open)
	}
}
