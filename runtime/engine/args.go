package engine

import (
	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/command"
	"github.com/luacap/luacap/runtime/luaval"
)

// commandArgs reads a command from the arguments at start and after: one
// string is run as written; several strings, or a list, are words that
// are each shell-quoted. A last table with no list part holds options.
func commandArgs(L *lua.LState, start int) (cmd string, opts *lua.LTable, err error) {
	top := L.GetTop()
	if t, ok := L.Get(top).(*lua.LTable); ok && top > start && t.RawGetInt(1) == lua.LNil {
		opts, top = t, top-1
	}
	var words []string
	for i := start; i <= top; i++ {
		switch v := L.Get(i).(type) {
		case lua.LString, lua.LNumber:
			words = append(words, lua.LVAsString(v))
		case *lua.LTable:
			list, lerr := luaval.StringList(v, "a command given as a list")
			if lerr != nil {
				return "", nil, lerr
			}
			if top == start {
				return command.Join(list), opts, nil
			}
			words = append(words, list...)
		default:
			return "", nil, errorf("a command must be a string or a list of strings, not a %s", v.Type())
		}
	}
	switch len(words) {
	case 0:
		return "", nil, errorf("no command given")
	case 1:
		return words[0], opts, nil
	}
	return command.Join(words), opts, nil
}
