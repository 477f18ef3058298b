package project

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/luaval"
)

// Server is server(name, {user=, port=, roles=, primary=, no_release=, transport=, ...}).
// Declaring a name again merges roles and properties, as Capistrano does.
func (p *Project) Server(L *lua.LState) int {
	name := L.CheckString(1)
	h, err := p.Hosts.Server(name)
	if err != nil {
		L.RaiseError("%v", err)
	}
	if props := L.OptTable(2, nil); props != nil {
		if err := applyProps(h, props, p.opts.Transports); err != nil {
			L.RaiseError("server %q: %v", name, err)
		}
	}
	return 0
}

func applyProps(h *host.Host, props *lua.LTable, transports []string) error {
	if err := checkServerOptions(props); err != nil {
		return err
	}
	var err error
	props.ForEach(func(k, v lua.LValue) {
		if err == nil {
			err = applyProp(h, k.String(), v, transports)
		}
	})
	return err
}

func applyProp(h *host.Host, key string, v lua.LValue, transports []string) error {
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
		roles, err := luaval.StringList(v, "roles")
		if err != nil {
			return err
		}
		h.AddRoles(roles...)
	case "transport":
		t := lua.LVAsString(v)
		if err := knownTransport(transports, t); err != nil {
			return err
		}
		h.Transport = t
	case "properties":
		return applyOwnProps(h, v)
	default:
		h.Props[key] = luaval.ToGo(v)
	}
	return nil
}

// Role is role(name, {hosts...} [, props]): it gives a role to each
// host, declaring the hosts that are new.
func (p *Project) Role(L *lua.LState) int {
	role := L.CheckString(1)
	names, err := luaval.StringList(L.CheckAny(2), "role "+role+" hosts")
	if err != nil {
		L.RaiseError("%v", err)
	}
	props := L.OptTable(3, nil)
	for _, n := range names {
		h, err := p.Hosts.Server(n)
		if err != nil {
			L.RaiseError("%v", err)
		}
		h.AddRoles(role)
		if props != nil {
			if err := applyProps(h, props, p.opts.Transports); err != nil {
				L.RaiseError("role %q: %v", role, err)
			}
		}
	}
	return 0
}

// CheckRoles is host.Set.CheckRoles with a hint at the stage when no
// server is declared at all.
func (p *Project) CheckRoles(names ...string) error {
	if err := p.Hosts.CheckRoles(names...); err != nil {
		return errorf("%v%s", err, p.StageHint())
	}
	return nil
}

// StageHint is what to add to an error when no server is declared.
func (p *Project) StageHint() string {
	if len(p.Hosts.All()) > 0 {
		return ""
	}
	if stages := p.Stages(); len(stages) > 0 {
		return "; did you forget the stage? luacap STAGE TASK; the stages are " + strings.Join(stages, ", ")
	}
	return "; declare the servers with server(name, { roles = {...} }) in " + p.deployfile()
}

func (p *Project) deployfile() string {
	if p.file == "" {
		return "the Deployfile"
	}
	return p.file
}

func (p *Project) HostsIn(v lua.LValue) ([]*host.Host, error) {
	switch v := v.(type) {
	case lua.LString:
		return p.hostsNamed(string(v))
	case *lua.LTable:
		if name, ok := v.RawGetString("name").(lua.LString); ok {
			return p.hostsNamed(string(name))
		}
		var out []*host.Host
		var err error
		v.ForEach(func(_, item lua.LValue) {
			if err != nil {
				return
			}
			var hs []*host.Host
			hs, err = p.HostsIn(item)
			out = append(out, hs...)
		})
		return dedupeHosts(out), err
	}
	return nil, fmt.Errorf("expected hosts (roles(...), a host, a role or server name), not a %s", v.Type())
}

func (p *Project) hostsNamed(name string) ([]*host.Host, error) {
	if name == "all" {
		return p.Hosts.All(), nil
	}
	if p.Hosts.HasRole(name) {
		return p.Hosts.InRoles(name), nil
	}
	if h, ok := p.Hosts.Get(name); ok {
		return []*host.Host{h}, nil
	}
	return nil, p.unknownName(name)
}

// unknownName says a name is neither a role nor a server, and which are.
func (p *Project) unknownName(name string) error {
	if len(p.Hosts.All()) == 0 {
		return errorf("%q is neither a role nor a declared server: no server is declared%s", name, p.StageHint())
	}
	var servers []string
	for _, h := range p.Hosts.All() {
		servers = append(servers, h.Name)
	}
	roles := p.Hosts.Roles()
	msg := fmt.Sprintf("%q is neither a role nor a declared server; the servers are %s", name, strings.Join(servers, ", "))
	if len(roles) > 0 {
		msg += " and the roles " + strings.Join(roles, ", ")
	}
	if c := host.Closest(name, append(roles, servers...)); c != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", c)
	}
	return errors.New(msg)
}

// knownTransport is the error server() raises for a transport that is
// not one of names.
func knownTransport(names []string, name string) error {
	if slices.Contains(names, name) {
		return nil
	}
	var quoted []string
	for _, n := range names {
		quoted = append(quoted, fmt.Sprintf("%q", n))
	}
	return fmt.Errorf("transport must be %s, not %q", strings.Join(quoted, " or "), name)
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
