package engine

import (
	"fmt"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/luaval"
	"github.com/luacap/luacap/runtime/output"
	"github.com/luacap/luacap/runtime/tasks"
)

// noServers is the error of a command that has no host to go to because
// no server is declared, rather than the silence of running nowhere.
func (e *Engine) noServers(hosts []*host.Host, what string) error {
	if len(hosts) > 0 || len(e.p.Hosts.All()) > 0 {
		return nil
	}
	return errorf("%s has no host to run on: no server is declared%s", what, e.p.StageHint())
}

// onTaskHosts runs fn as t's body (or, with hook, a before/after function
// of t) on the hosts t selects. A role t names that no server plays is an
// error here too, for tasks reached by invoke() that the preflight cannot
// see. When the command-line filter leaves out every host t would run
// on, fn is skipped, as Capistrano skips a task its filters exclude.
func (e *Engine) onTaskHosts(t *tasks.Task, hook bool, fn func() error) error {
	if err := e.p.CheckRoles(t.Opts.Roles...); err != nil {
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
	hosts := e.p.Hosts.All()
	if len(t.Opts.Roles) > 0 {
		hosts = e.p.Hosts.InRoles(t.Opts.Roles...)
	}
	if len(t.Opts.Hosts) > 0 {
		hosts = host.Filter{Hosts: t.Opts.Hosts}.Apply(hosts)
	}
	return hosts
}

// primary(role) returns the role's primary host, or nil when it has none.
func (e *Engine) luaPrimary(L *lua.LState) int {
	h, err := e.p.Hosts.Primary(L.CheckString(1))
	if err != nil {
		L.Push(lua.LNil)
		return 1
	}
	L.Push(hostTable(L, h))
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
func hostTable(L *lua.LState, h *host.Host) *lua.LTable {
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

func hostList(L *lua.LState, hosts []*host.Host) *lua.LTable {
	t := L.NewTable()
	for _, h := range hosts {
		t.Append(hostTable(L, h))
	}
	return t
}

// hostsArg reads what on() and friends accept: a host table, a list of
// host tables, a role or server name, a list of names, or "all". An
// empty list is fine, unless no server is declared at all.
func (e *Engine) hostsArg(v lua.LValue) ([]*host.Host, error) {
	hosts, err := e.p.HostsIn(v)
	if err == nil {
		err = e.noServers(hosts, "the block")
	}
	return hosts, err
}
