package engine

import (
	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/luaval"
	"github.com/luacap/luacap/runtime/transport"
)

// raw.ssh_address(host) -> ok, "user@hostname", port: the address luacap
// resolved for a host (ssh_config's HostName, Port, User applied), for
// commands that one server runs to reach another by its real address.
func (e *Engine) rawSSHAddress(L *lua.LState) int {
	t, ok := L.Get(1).(*lua.LTable)
	if !ok {
		return luaval.Fail(L, "ssh_address() needs a host, such as primary(\"db\")")
	}
	hosts, err := e.hostsArg(t)
	if err != nil || len(hosts) != 1 {
		return luaval.Fail(L, "ssh_address(): not a declared host")
	}
	h := hosts[0]
	a, err := e.addressOf(h)
	if err != nil {
		return luaval.Fail(L, "ssh_address(%s): %v", h.Name, err)
	}
	return luaval.Push(L, lua.LTrue, lua.LString(a.Destination()), lua.LNumber(a.Port))
}

// addressOf is where h's transport says h is. With no transport for it
// (no ssh configured), it is h as declared.
func (e *Engine) addressOf(h *host.Host) (transport.Address, error) {
	t, err := e.transportOf(h)
	if err != nil {
		return transport.Local{}.Address(h, transport.Options{})
	}
	opts, err := e.ssh.of(h)
	if err != nil {
		return transport.Address{}, err
	}
	return t.Address(h, opts)
}
