// Package luaval converts between Lua values and Go and checks the
// arguments Go functions get from Lua: no Lua state of its own, no engine.
package luaval

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// ToGo converts a Lua value to plain Go: string, float64, bool, []any,
// map[string]any, or nil. Functions and userdata become nil.
func ToGo(v lua.LValue) any {
	switch v := v.(type) {
	case lua.LString:
		return string(v)
	case lua.LNumber:
		return float64(v)
	case lua.LBool:
		return bool(v)
	case *lua.LTable:
		if v.MaxN() > 0 {
			list := make([]any, 0, v.MaxN())
			for i := 1; i <= v.MaxN(); i++ {
				list = append(list, ToGo(v.RawGetInt(i)))
			}
			return list
		}
		m := map[string]any{}
		v.ForEach(func(k, val lua.LValue) { m[k.String()] = ToGo(val) })
		return m
	}
	return nil
}

// ToLua converts what ToGo returns back into a Lua value.
func ToLua(L *lua.LState, v any) lua.LValue {
	switch v := v.(type) {
	case string:
		return lua.LString(v)
	case float64:
		return lua.LNumber(v)
	case int:
		return lua.LNumber(v)
	case bool:
		return lua.LBool(v)
	case []any:
		t := L.NewTable()
		for _, x := range v {
			t.Append(ToLua(L, x))
		}
		return t
	case []string:
		t := L.NewTable()
		for _, x := range v {
			t.Append(lua.LString(x))
		}
		return t
	case map[string]any:
		t := L.NewTable()
		for k, x := range v {
			t.RawSetString(k, ToLua(L, x))
		}
		return t
	}
	return lua.LNil
}

// Options reads an option table, refusing keys that are not options, so
// that `task("x", {role = "web"})` says role is not an option.
func Options(L *lua.LState, t *lua.LTable, what string, allowed ...string) (map[string]lua.LValue, error) {
	out := map[string]lua.LValue{}
	if t == nil {
		return out, nil
	}
	var bad []string
	t.ForEach(func(k, v lua.LValue) {
		key := k.String()
		if !slices.Contains(allowed, key) {
			bad = append(bad, fmt.Sprintf("%q", key))
			return
		}
		out[key] = v
	})
	if len(bad) > 0 {
		sort.Strings(bad)
		return nil, fmt.Errorf("%s: %s is not an option; the options are %s", what, strings.Join(bad, ", "), strings.Join(allowed, ", "))
	}
	return out, nil
}

// StringList reads a string or a list of strings.
func StringList(v lua.LValue, what string) ([]string, error) {
	switch v := v.(type) {
	case lua.LString:
		return []string{string(v)}, nil
	case *lua.LTable:
		var out []string
		var err error
		v.ForEach(func(_, x lua.LValue) {
			if s, ok := x.(lua.LString); ok {
				out = append(out, string(s))
			} else if err == nil {
				err = fmt.Errorf("%s must be a list of strings, not a list holding a %s", what, x.Type())
			}
		})
		return out, err
	case *lua.LNilType:
		return nil, nil
	}
	return nil, fmt.Errorf("%s must be a string or a list of strings, not a %s", what, v.Type())
}

// PropTable reads a table of host properties such as only={primary=true}.
func PropTable(v lua.LValue, what string) (map[string]any, error) {
	if v == lua.LNil {
		return nil, nil
	}
	t, ok := v.(*lua.LTable)
	if !ok {
		return nil, fmt.Errorf("%s must be a table of properties, like {primary = true}", what)
	}
	m, _ := ToGo(t).(map[string]any)
	return m, nil
}

// StringArgs reads the leading string arguments of a wrapped verb. It
// returns an error rather than raising, so that the prelude's wrapper
// reports it at the user's line, not its own.
func StringArgs(L *lua.LState, verb string, names ...string) ([]string, error) {
	out := make([]string, len(names))
	for i, name := range names {
		v, ok := L.Get(i + 1).(lua.LString)
		if !ok {
			return nil, fmt.Errorf("%s(): %s must be a string, not %s", verb, name, L.Get(i+1).Type())
		}
		out[i] = string(v)
	}
	return out, nil
}

// OptOr is opts[key], or nil when it is not there.
func OptOr(opts map[string]lua.LValue, key string) lua.LValue {
	if v, ok := opts[key]; ok {
		return v
	}
	return lua.LNil
}

// Push returns values to Lua.
func Push(L *lua.LState, values ...lua.LValue) int {
	for _, v := range values {
		L.Push(v)
	}
	return len(values)
}

// Fail returns (false, message) to a prelude wrapper, which raises it at
// the line of the user's call.
func Fail(L *lua.LState, format string, args ...any) int {
	return Push(L, lua.LFalse, lua.LString(fmt.Errorf(format, args...).Error()))
}

// FailAt is Fail for a verb whose wrapper adds no position (on): the
// message starts with the line of the user's call.
func FailAt(L *lua.LState, format string, args ...any) int {
	return Fail(L, "%s "+format, append([]any{L.Where(2)}, args...)...)
}

// Where is the file:line of the Lua code calling the current Go function.
func Where(L *lua.LState) string {
	return strings.TrimSuffix(L.Where(1), ":")
}
