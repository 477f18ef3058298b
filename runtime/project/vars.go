package project

import (
	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/luaval"
)

// Set is set(name, value): a function value is lazy, called on first fetch.
func (p *Project) Set(L *lua.LState) int {
	name := L.CheckString(1)
	p.Vars.Set(name, L.CheckAny(2))
	// Where the prelude's set() was called from, for errors about the
	// value found only later (ssh_options is checked as the run starts).
	p.setAt[name] = luaval.CallerOutside(L, "luacap/prelude.lua")
	return 0
}

// VarGet is raw.var_get(name) -> found, value, lazy. The prelude's fetch() does the
// rest in Lua, so a lazy value may run commands (and so yield).
func (p *Project) VarGet(L *lua.LState) int {
	name := L.CheckString(1)
	v, found, lazy := p.Vars.Read(name)
	L.Push(lua.LBool(found))
	L.Push(p.settingValue(name, v))
	L.Push(lua.LBool(lazy))
	return 3
}

// VarHas is raw.var_has(name) -> found: whether name is set, without counting as
// a read (set_if_empty asks it of names it may only be setting).
func (p *Project) VarHas(L *lua.LState) int {
	_, found, _ := p.Vars.Get(L.CheckString(1))
	return luaval.Push(L, lua.LBool(found))
}

// VarCache is raw.var_cache(name, value) -> value: stores a lazy value's result and
// returns it as fetch() returns it.
func (p *Project) VarCache(L *lua.LState) int {
	name, v := L.CheckString(1), L.CheckAny(2)
	p.Vars.Cache(name, v)
	L.Push(p.settingValue(name, v))
	return 1
}

// VarAbandon is raw.var_abandon(name) forgets a lazy computation that raised.
func (p *Project) VarAbandon(L *lua.LState) int {
	p.Vars.Abandon(L.CheckString(1))
	return 0
}
