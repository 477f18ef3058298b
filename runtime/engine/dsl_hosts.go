package engine

import (
	"errors"
	"fmt"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/luaval"
	"github.com/luacap/luacap/runtime/output"
	"github.com/luacap/luacap/runtime/tasks"
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
	if err := checkServerOptions(props); err != nil {
		return err
	}
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
		roles, err := luaval.StringList(v, "roles")
		if err != nil {
			return err
		}
		h.AddRoles(roles...)
	case "transport":
		t := lua.LVAsString(v)
		if err := knownTransport(t); err != nil {
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

// role(name, {hosts...} [, props]) gives a role to each host, declaring
// the hosts that are new.
func (e *Engine) luaRole(L *lua.LState) int {
	role := L.CheckString(1)
	names, err := luaval.StringList(L.CheckAny(2), "role "+role+" hosts")
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

// checkRoles is host.Set.CheckRoles with a hint at the stage when no
// server is declared at all.
func (e *Engine) checkRoles(names ...string) error {
	if err := e.hosts.CheckRoles(names...); err != nil {
		return errorf("%v%s", err, e.stageHint())
	}
	return nil
}

// stageHint is what to add to an error when no server is declared.
func (e *Engine) stageHint() string {
	if len(e.hosts.All()) > 0 {
		return ""
	}
	if stages := e.Stages(); len(stages) > 0 {
		return "; did you forget the stage? luacap STAGE TASK; the stages are " + strings.Join(stages, ", ")
	}
	return "; declare the servers with server(name, { roles = {...} }) in " + e.deployfile()
}

func (e *Engine) deployfile() string {
	if e.file == "" {
		return "the Deployfile"
	}
	return e.file
}

// noServers is the error of a command that has no host to go to because
// no server is declared, rather than the silence of running nowhere.
func (e *Engine) noServers(hosts []*host.Host, what string) error {
	if len(hosts) > 0 || len(e.hosts.All()) > 0 {
		return nil
	}
	return errorf("%s has no host to run on: no server is declared%s", what, e.stageHint())
}

// onTaskHosts runs fn as t's body (or, with hook, a before/after function
// of t) on the hosts t selects. A role t names that no server plays is an
// error here too, for tasks reached by invoke() that the preflight cannot
// see. When the command-line filter leaves out every host t would run
// on, fn is skipped, as Capistrano skips a task its filters exclude.
func (e *Engine) onTaskHosts(t *tasks.Task, hook bool, fn func() error) error {
	if err := e.checkRoles(t.Opts.Roles...); err != nil {
		return errorf("%s: task %s: %v", t.Where, t.Name, err)
	}
	hosts := e.selectHosts(t)
	if len(hosts) == 0 && !e.opts.Filter.Empty() && len(e.declaredFor(t)) > 0 {
		e.out.Note(output.Verbose, "", fmt.Sprintf("skip %s: %s leaves out every host it runs on", t.Name, e.opts.Filter))
		return nil
	}
	return e.inTask(&taskRun{task: t, hosts: hosts, hook: hook}, fn)
}

// declaredFor are the servers t's roles and hosts options name, before
// any filter.
func (e *Engine) declaredFor(t *tasks.Task) []*host.Host {
	hosts := e.hosts.All()
	if len(t.Opts.Roles) > 0 {
		hosts = e.hosts.InRoles(t.Opts.Roles...)
	}
	if len(t.Opts.Hosts) > 0 {
		hosts = host.Filter{Hosts: t.Opts.Hosts}.Apply(hosts)
	}
	return hosts
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
		t.RawSetString(k, luaval.ToLua(L, v))
	}
	t.RawSetString("name", lua.LString(h.Name))
	t.RawSetString("hostname", lua.LString(h.Hostname))
	t.RawSetString("user", lua.LString(h.User))
	t.RawSetString("port", lua.LNumber(h.Port))
	t.RawSetString("transport", lua.LString(h.Transport))
	t.RawSetString("roles", luaval.ToLua(L, h.Roles))
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
// host tables, a role or server name, a list of names, or "all". An
// empty list is fine, unless no server is declared at all.
func (e *Engine) hostsArg(v lua.LValue) ([]*host.Host, error) {
	hosts, err := e.hostsIn(v)
	if err == nil {
		err = e.noServers(hosts, "the block")
	}
	return hosts, err
}

func (e *Engine) hostsIn(v lua.LValue) ([]*host.Host, error) {
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
			hs, err = e.hostsIn(item)
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
	return nil, e.unknownName(name)
}

// unknownName says a name is neither a role nor a server, and which are.
func (e *Engine) unknownName(name string) error {
	if len(e.hosts.All()) == 0 {
		return errorf("%q is neither a role nor a declared server: no server is declared%s", name, e.stageHint())
	}
	var servers []string
	for _, h := range e.hosts.All() {
		servers = append(servers, h.Name)
	}
	roles := e.hosts.Roles()
	msg := fmt.Sprintf("%q is neither a role nor a declared server; the servers are %s", name, strings.Join(servers, ", "))
	if len(roles) > 0 {
		msg += " and the roles " + strings.Join(roles, ", ")
	}
	if c := host.Closest(name, append(roles, servers...)); c != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", c)
	}
	return errors.New(msg)
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
