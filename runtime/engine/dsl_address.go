package engine

import (
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

// raw.ssh_address(host) -> ok, "user@hostname", port: the address luacap
// resolved for a host (ssh_config's HostName, Port, User applied), for
// commands that one server runs to reach another by its real address.
func (e *Engine) rawSSHAddress(L *lua.LState) int {
	t, ok := L.Get(1).(*lua.LTable)
	if !ok {
		return fail(L, "ssh_address() needs a host, such as primary(\"db\")")
	}
	hosts, err := e.hostsArg(t)
	if err != nil || len(hosts) != 1 {
		return fail(L, "ssh_address(): not a declared host")
	}
	h := hosts[0]
	if e.opts.SSH == nil || h.Transport == "local" {
		return push(L, lua.LTrue, lua.LString(h.Hostname), lua.LNumber(max(h.Port, 22)))
	}
	args, dest, err := e.opts.SSH.SSHCommand(h, hostSSHOptions(e.sshOpts, h))
	if err != nil {
		return fail(L, "ssh_address(%s): %v", h.Name, err)
	}
	port := 22
	for i := 0; i+1 < len(args); i++ {
		if args[i] == "-p" {
			port, _ = strconv.Atoi(args[i+1])
		}
	}
	return push(L, lua.LTrue, lua.LString(dest), lua.LNumber(port))
}
