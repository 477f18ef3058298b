package luaval

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Call calls a Lua function in protected mode and returns its error as a
// Go error holding only the Lua message: the user's file:line and what
// went wrong, no Go stack.
func Call(L *lua.LState, fn *lua.LFunction, args ...lua.LValue) error {
	return CallError(L.CallByParam(lua.P{Fn: fn, NRet: 0, Protect: true}, args...))
}

// CallError is the error of a protected call with only the Lua message.
func CallError(err error) error {
	var api *lua.ApiError
	if errors.As(err, &api) && api.Object != nil {
		return errors.New(api.Object.String())
	}
	return err
}

// parseError matches gopher-lua's "FILE line:3(column:5) near 'x':   msg".
var parseError = regexp.MustCompile(`line:(\d+)\(column:(\d+)\) near '(.*)':\s+(.*)`)

// LoadMessage rewrites gopher-lua's parse errors of the file path as
// "file:line: message", the shape every other error of luacap has.
func LoadMessage(path string, err error) error {
	msg := strings.TrimSpace(err.Error())
	if m := parseError.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("%s:%s: %s near '%s' (column %s)", path, m[1], m[4], m[3], m[2])
	}
	return errors.New(msg)
}

// CheckName is argument n of verb, a name: a string, never a number that
// Lua would quietly turn into one. The error names the caller's line.
func CheckName(L *lua.LState, n int, verb string) string {
	if s, ok := L.Get(n).(lua.LString); ok {
		return string(s)
	}
	v, shown := L.Get(n), ""
	if v.Type() == lua.LTNumber || v.Type() == lua.LTBool {
		shown = " " + v.String()
	}
	L.RaiseError("%s(): the name must be a string, not the %s%s", verb, v.Type(), shown)
	return ""
}

// CallerOutside is the file:line of the nearest caller of the current Go
// function whose chunk is not named chunk: the user's set_if_empty(),
// not the prelude's set() it goes through.
func CallerOutside(L *lua.LState, chunk string) string {
	at := ""
	for level := 2; level < 6; level++ {
		at = strings.TrimSuffix(L.Where(level), ":")
		if !strings.HasPrefix(at, chunk) {
			break
		}
	}
	return at
}
