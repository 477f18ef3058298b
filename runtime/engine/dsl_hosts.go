package engine

import (
	"fmt"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/host"
)

// server(name, {user=, port=, roles=, primary=, no_release=, transport=, ...}).
// Declaring a name again merges roles and properties, as Capistrano does.
func (e *Engine) luaServer(L *lua.LState) int {
	name := L.CheckString(1)
	h, err := e.hosts.Server(name)
	if err != nil {
		L.RaiseError("%v", err)
	}
	if props := L.OptTable(2, nil); props != nil {
		if err := applyProps(h, props); err != nil {
			L.RaiseError("server %q: %v", name, err)
		}
	}
	return 0
}

func applyProps(h *host.Host, props *lua.LTable) error {
	var err error
	props.ForEach(func(k, v lua.LValue) {
		if err == nil {
			err = applyProp(h, k.String(), v)
		}
	})
	return err
}

func applyProp(h *host.Host, key string, v lua.LValue) error {
	switch key {
	case "user":
		h.User = lua.LVAsString(v)
	case "port":
		n, ok := v.(lua.LNumber)
		if !ok || n < 1 || n > 65535 || n != lua.LNumber(int(n)) {
			return fmt.Errorf("port must be a number from 1 to 65535, not %s", v)
		}
		h.Port = int(n)
	case "roles":
		roles, err := stringList(v, "roles")
		if err != nil {
			return err
		}
		h.AddRoles(roles...)
	case "transport":
		t := lua.LVAsString(v)
		if t != "ssh" && t != "local" {
			return fmt.Errorf(`transport must be "ssh" or "local", not %q`, t)
		}
		h.Transport = t
	default:
		h.Props[key] = toGo(v)
	}
	return nil
}

// role(name, {hosts...} [, props]) gives a role to each host, declaring
// the hosts that are new.
func (e *Engine) luaRole(L *lua.LState) int {
	role := L.CheckString(1)
	names, err := stringList(L.CheckAny(2), "role "+role+" hosts")
	if err != nil {
		L.RaiseError("%v", err)
	}
	props := L.OptTable(3, nil)
	for _, n := range names {
		h, err := e.hosts.Server(n)
		if err != nil {
			L.RaiseError("%v", err)
		}
		h.AddRoles(role)
		if props != nil {
			if err := applyProps(h, props); err != nil {
				L.RaiseError("role %q: %v", role, err)
			}
		}
	}
	return 0
}

// roles(name, ...) returns the hosts of those roles, narrowed by --hosts
// and --roles, as a list of host tables.
func (e *Engine) luaRoles(L *lua.LState) int {
	var names []string
	for i := 1; i <= L.GetTop(); i++ {
		names = append(names, L.CheckString(i))
	}
	hosts := e.hosts.All()
	if !(len(names) == 1 && names[0] == "all") {
		hosts = e.hosts.InRoles(names...)
	}
	L.Push(e.hostList(L, e.usable(hosts)))
	return 1
}

// primary(role) returns the role's primary host, or nil when it has none.
func (e *Engine) luaPrimary(L *lua.LState) int {
	h, err := e.hosts.Primary(L.CheckString(1))
	if err != nil {
		L.Push(lua.LNil)
		return 1
	}
	L.Push(e.hostTable(L, h))
	return 1
}

// usable narrows hosts by the command-line filter and drops hosts that
// failed in an on_error="continue" task.
func (e *Engine) usable(hosts []*host.Host) []*host.Host {
	var out []*host.Host
	for _, h := range e.opts.Filter.Apply(hosts) {
		if !e.dropped[h.Name] {
			out = append(out, h)
		}
	}
	return out
}

// hostTable is the plain table a recipe sees for a host.
func (e *Engine) hostTable(L *lua.LState, h *host.Host) *lua.LTable {
	t := L.NewTable()
	for k, v := range h.Props {
		t.RawSetString(k, toLua(L, v))
	}
	t.RawSetString("name", lua.LString(h.Name))
	t.RawSetString("hostname", lua.LString(h.Hostname))
	t.RawSetString("user", lua.LString(h.User))
	t.RawSetString("port", lua.LNumber(h.Port))
	t.RawSetString("transport", lua.LString(h.Transport))
	t.RawSetString("roles", toLua(L, h.Roles))
	return t
}

func (e *Engine) hostList(L *lua.LState, hosts []*host.Host) *lua.LTable {
	t := L.NewTable()
	for _, h := range hosts {
		t.Append(e.hostTable(L, h))
	}
	return t
}

// hostsArg reads what on() and friends accept: a host table, a list of
// host tables, a role or server name, a list of names, or "all".
func (e *Engine) hostsArg(v lua.LValue) ([]*host.Host, error) {
	switch v := v.(type) {
	case lua.LString:
		return e.hostsNamed(string(v))
	case *lua.LTable:
		if name, ok := v.RawGetString("name").(lua.LString); ok {
			return e.hostsNamed(string(name))
		}
		var out []*host.Host
		var err error
		v.ForEach(func(_, item lua.LValue) {
			if err != nil {
				return
			}
			var hs []*host.Host
			hs, err = e.hostsArg(item)
			out = append(out, hs...)
		})
		return dedupeHosts(out), err
	}
	return nil, fmt.Errorf("expected hosts (roles(...), a host, a role or server name), not a %s", v.Type())
}

func (e *Engine) hostsNamed(name string) ([]*host.Host, error) {
	if name == "all" {
		return e.hosts.All(), nil
	}
	if e.hosts.HasRole(name) {
		return e.hosts.InRoles(name), nil
	}
	if h, ok := e.hosts.Get(name); ok {
		return []*host.Host{h}, nil
	}
	return nil, fmt.Errorf("%q is neither a role nor a declared server", name)
}

func dedupeHosts(hosts []*host.Host) []*host.Host {
	seen := map[string]bool{}
	var out []*host.Host
	for _, h := range hosts {
		if !seen[h.Name] {
			seen[h.Name] = true
			out = append(out, h)
		}
	}
	return out
}
