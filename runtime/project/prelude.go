package project

import (
	_ "embed"
	"os"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/luaval"
)

// Prelude is the Lua half of the DSL: it makes the globals from the DSL
// table's Go functions (raw) and how each wraps its own (wraps).
//
//go:embed prelude.lua
var Prelude string

// identity is this machine's name and luacap's process id, which the
// deploy lock records: known here, so no command asks for them. A dry
// run shows placeholders, the same on every machine.
func (p *Project) identity() (machine, pid string) {
	if p.opts.DryRun {
		return "this-machine", "0"
	}
	machine, err := os.Hostname()
	if err != nil {
		machine = "unknown-machine"
	}
	return machine, strconv.Itoa(os.Getpid())
}

// LoadPrelude runs the prelude with raw, the DSL table's Go functions by
// name, and wraps, how each Plain and Checked global wraps its own; it
// adds the facts of this run the prelude sets (release_name...).
func (p *Project) LoadPrelude(raw, wraps *lua.LTable) error {
	raw.RawSetString("release_name", lua.LString(p.opts.Now.UTC().Format("20060102150405")))
	raw.RawSetString("started_at", lua.LString(p.opts.Now.UTC().Format("2006-01-02 15:04:05 UTC")))
	machine, pid := p.identity()
	raw.RawSetString("local_machine", lua.LString(machine))
	raw.RawSetString("luacap_pid", lua.LString(pid))
	fn, err := p.l.Load(strings.NewReader(Prelude), "luacap/prelude.lua")
	if err != nil {
		return err
	}
	return luaval.Call(p.l, fn, raw, wraps)
}
