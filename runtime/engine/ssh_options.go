package engine

import (
	"sync"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/luaval"
	"github.com/luacap/luacap/runtime/sched"
	"github.com/luacap/luacap/runtime/transport"
)

// sshOptions are the run's ssh_options, typed: the Deployfile's, and each
// server's own merged over them. Dials read them off the Lua goroutine,
// hence the lock.
type sshOptions struct {
	mu     sync.Mutex
	global transport.Options
	hosts  map[*host.Host]transport.Options
}

// readSSHOptions reads ssh_options and every server's own once, as the
// run starts, into typed options; a wrong key or type is an error naming
// the Deployfile line, or the server.
func (e *Engine) readSSHOptions() error {
	fetch := e.L.GetGlobal("fetch")
	if err := e.L.CallByParam(lua.P{Fn: fetch, NRet: 1, Protect: true}, lua.LString("ssh_options"), e.L.NewTable()); err != nil {
		return &LoadError{Err: sched.LuaError(err)}
	}
	v := e.L.Get(-1)
	e.L.Pop(1)
	opts, ok := luaval.ToGo(v).(map[string]any)
	if !ok {
		return &LoadError{Err: errorf("ssh_options must be a table of options, like { forward_agent = true }, not a %s", v.Type())}
	}
	global, err := transport.ParseOptions(opts)
	if err != nil {
		if at := e.setAt["ssh_options"]; at != "" {
			err = errorf("%s: %v", at, err)
		}
		return &LoadError{Err: err}
	}
	merged := map[*host.Host]transport.Options{}
	for _, h := range e.hosts.All() {
		if merged[h], err = hostSSHOptions(global, h); err != nil {
			return &LoadError{Err: err}
		}
	}
	e.ssh.mu.Lock()
	defer e.ssh.mu.Unlock()
	e.ssh.global, e.ssh.hosts = global, merged
	return nil
}

// sshOptionsOf are h's ssh_options: read at the start, or now for a
// server declared since.
func (e *Engine) sshOptionsOf(h *host.Host) (transport.Options, error) {
	e.ssh.mu.Lock()
	defer e.ssh.mu.Unlock()
	if o, ok := e.ssh.hosts[h]; ok {
		return o, nil
	}
	o, err := hostSSHOptions(e.ssh.global, h)
	if err != nil {
		return transport.Options{}, err
	}
	if e.ssh.hosts == nil {
		e.ssh.hosts = map[*host.Host]transport.Options{}
	}
	e.ssh.hosts[h] = o
	return o, nil
}

// hostSSHOptions merges a server's ssh_options property over global.
func hostSSHOptions(global transport.Options, h *host.Host) (transport.Options, error) {
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
