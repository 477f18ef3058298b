package engine

import (
	"fmt"
	"sort"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// toGo converts a Lua value to plain Go: string, float64, bool, []any,
// map[string]any, or nil. Functions and userdata become nil.
func toGo(v lua.LValue) any {
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
				list = append(list, toGo(v.RawGetInt(i)))
			}
			return list
		}
		m := map[string]any{}
		v.ForEach(func(k, val lua.LValue) { m[k.String()] = toGo(val) })
		return m
	}
	return nil
}

// toLua converts what toGo returns back into a Lua value.
func toLua(L *lua.LState, v any) lua.LValue {
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
			t.Append(toLua(L, x))
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
			t.RawSetString(k, toLua(L, x))
		}
		return t
	}
	return lua.LNil
}

// options reads an option table, refusing keys that are not options, so
// that `task("x", {role = "web"})` says role is not an option.
func options(L *lua.LState, t *lua.LTable, what string, allowed ...string) (map[string]lua.LValue, error) {
	out := map[string]lua.LValue{}
	if t == nil {
		return out, nil
	}
	var bad []string
	t.ForEach(func(k, v lua.LValue) {
		key := k.String()
		if !contains(allowed, key) {
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

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// stringList reads a string or a list of strings.
func stringList(v lua.LValue, what string) ([]string, error) {
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

// propTable reads a table of host properties such as only={primary=true}.
func propTable(v lua.LValue, what string) (map[string]any, error) {
	if v == lua.LNil {
		return nil, nil
	}
	t, ok := v.(*lua.LTable)
	if !ok {
		return nil, fmt.Errorf("%s must be a table of properties, like {primary = true}", what)
	}
	m, _ := toGo(t).(map[string]any)
	return m, nil
}
