package engine

import (
	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/luaval"
)

// roleOptions are Capistrano's property filters: filter and its synonym
// select keep the hosts that pass, exclude drops them.
var roleOptions = []string{"filter", "select", "exclude"}

// roles(name, ... [, { filter = f, select = f, exclude = f }]) returns the
// hosts of those roles, narrowed by --hosts and --roles, as a list of host
// tables. A role no server plays is an error (a typo would otherwise run
// nothing); a role whose hosts the command line left out gives an empty
// list. f is a property name (the host passes when the property is set
// and not false) or a function(host) returning whether it passes.
func (e *Engine) luaRoles(L *lua.LState) int {
	top := L.GetTop()
	opts := map[string]lua.LValue{}
	if t, ok := L.Get(top).(*lua.LTable); ok && top > 1 {
		var err error
		if opts, err = roleFilters(L, t); err != nil {
			L.RaiseError("%v", err)
		}
		top--
	}
	var names []string
	for i := 1; i <= top; i++ {
		names = append(names, L.CheckString(i))
	}
	if err := e.p.CheckRoles(names...); err != nil {
		L.RaiseError("roles(): %v", err)
	}
	hosts := e.p.Hosts.All()
	if !(len(names) == 1 && names[0] == "all") {
		hosts = e.p.Hosts.InRoles(names...)
	}
	L.Push(filteredList(L, e.usable(hosts), opts))
	return 1
}

// filteredList is the list of host tables of the hosts that pass opts.
func filteredList(L *lua.LState, hosts []*host.Host, opts map[string]lua.LValue) *lua.LTable {
	out := L.NewTable()
	for _, h := range hosts {
		t := hostTable(L, h)
		if passes(L, t, opts) {
			out.Append(t)
		}
	}
	return out
}

// roleFilters reads the options table: each value a property name or a
// function, checked here so that a mistake shows with no host to test.
func roleFilters(L *lua.LState, t *lua.LTable) (map[string]lua.LValue, error) {
	opts, err := luaval.Options(L, t, "roles()", roleOptions...)
	if err != nil {
		return nil, err
	}
	for key, f := range opts {
		switch f.(type) {
		case lua.LString, *lua.LFunction:
		default:
			return nil, errorf("roles(): %s must be a property name or a function(host), not a %s", key, f.Type())
		}
	}
	return opts, nil
}

// passes applies every option to one host table; all must hold.
func passes(L *lua.LState, t *lua.LTable, opts map[string]lua.LValue) bool {
	for _, key := range roleOptions {
		if f, ok := opts[key]; ok && hostPasses(L, f, t) == (key == "exclude") {
			return false
		}
	}
	return true
}

// hostPasses is whether host table t has property f set and not false,
// or whether f(t) returns a true value.
func hostPasses(L *lua.LState, f lua.LValue, t *lua.LTable) bool {
	if prop, ok := f.(lua.LString); ok {
		return lua.LVAsBool(t.RawGetString(string(prop)))
	}
	L.Push(f)
	L.Push(t)
	L.Call(1, 1) // an error in f is raised at f's line
	v := L.Get(-1)
	L.Pop(1)
	return lua.LVAsBool(v)
}
