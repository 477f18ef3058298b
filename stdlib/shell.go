package stdlib

import (
	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/command"
)

// OpenShell opens luacap.shell: quoting words for a POSIX shell.
func OpenShell(L *lua.LState) int {
	L.Push(L.SetFuncs(L.NewTable(), map[string]lua.LGFunction{
		"quote": shellQuote,
		"join":  shellJoin,
	}))
	return 1
}

// quote(word) returns word as one shell word.
func shellQuote(L *lua.LState) int {
	L.Push(lua.LString(command.Quote(L.CheckString(1))))
	return 1
}

// join(list) quotes each word of list and joins them with spaces.
func shellJoin(L *lua.LState) int {
	t := L.CheckTable(1)
	var words []string
	for i := 1; i <= t.MaxN(); i++ {
		words = append(words, lua.LVAsString(t.RawGetInt(i)))
	}
	L.Push(lua.LString(command.Join(words)))
	return 1
}
