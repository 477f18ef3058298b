package project

import (
	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/luaval"
	"github.com/luacap/luacap/runtime/transport"
)

// SSHOptions reads ssh_options and every server's own, typed: the
// Deployfile's, and each server's merged over them. A wrong key or type
// is an error naming the Deployfile line, or the server.
func (p *Project) SSHOptions() (transport.Options, map[*host.Host]transport.Options, error) {
	fetch := p.l.GetGlobal("fetch")
	if err := p.l.CallByParam(lua.P{Fn: fetch, NRet: 1, Protect: true}, lua.LString("ssh_options"), p.l.NewTable()); err != nil {
		return transport.Options{}, nil, &LoadError{Err: luaval.CallError(err)}
	}
	v := p.l.Get(-1)
	p.l.Pop(1)
	opts, ok := luaval.ToGo(v).(map[string]any)
	if !ok {
		return transport.Options{}, nil, &LoadError{Err: errorf("ssh_options must be a table of options, like { forward_agent = true }, not a %s", v.Type())}
	}
	global, err := transport.ParseOptions(opts)
	if err != nil {
		if at := p.setAt["ssh_options"]; at != "" {
			err = errorf("%s: %v", at, err)
		}
		return transport.Options{}, nil, &LoadError{Err: err}
	}
	merged := map[*host.Host]transport.Options{}
	for _, h := range p.Hosts.All() {
		if merged[h], err = HostSSHOptions(global, h); err != nil {
			return transport.Options{}, nil, &LoadError{Err: err}
		}
	}
	return global, merged, nil
}

// HostSSHOptions merges a server's ssh_options property over global.
func HostSSHOptions(global transport.Options, h *host.Host) (transport.Options, error) {
	own, ok := h.Props["ssh_options"].(map[string]any)
	if !ok {
		return global, nil
	}
	o, err := transport.ParseOptions(own)
	if err != nil {
		return transport.Options{}, errorf("server %q: %v", h.Name, err)
	}
	return transport.Merge(global, o), nil
}
