package project

import (
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/luaval"
	"github.com/luacap/luacap/runtime/tasks"
)

var taskOptions = []string{"roles", "hosts", "only", "except", "once", "transaction", "on_error", "on_failure", "pipelined"}

// Namespace is namespace(name, fn): tasks defined in fn are named "name:task".
func (p *Project) Namespace(L *lua.LState) int {
	name, fn := L.CheckString(1), L.CheckFunction(2)
	p.names.namespace = append(p.names.namespace, name)
	defer func() { p.names.namespace = p.names.namespace[:len(p.names.namespace)-1] }()
	L.Push(fn)
	L.Call(0, 0)
	return 0
}

// Desc is desc(text): it describes the next task.
func (p *Project) Desc(L *lua.LState) int {
	p.names.desc = L.CheckString(1)
	return 0
}

// Task is task(name, [opts,] fn_or_steps): it defines a task, or
// replaces the body of one that exists while keeping its hooks.
func (p *Project) Task(L *lua.LState) int {
	name := strings.Join(append(append([]string{}, p.names.namespace...), luaval.CheckName(L, 1, "task")), ":")
	if of, ok := p.Tasks.AliasOf(name); ok {
		// Defining it would replace all of the task it stands for (a
		// Capistrano name such as deploy:check:linked_files is deploy:check).
		L.RaiseError("task %q: that name is an alias of %s; define %s to replace it, or give your task another name", name, of, of)
	}
	t := &tasks.Task{Name: name, Desc: p.names.desc, Where: luaval.Where(L)}
	p.names.desc = ""
	bodyAt := 2
	if L.GetTop() >= 3 {
		if err := taskOpts(L, L.CheckTable(2), name, &t.Opts); err != nil {
			L.RaiseError("%v", err)
		}
		bodyAt = 3
	}
	switch b := L.Get(bodyAt).(type) {
	case *lua.LFunction:
		t.Body = b
		t.Lines = [2]int{b.Proto.LineDefined, b.Proto.LastLineDefined}
	case *lua.LTable:
		steps, err := luaval.StringList(b, "task "+name+" steps")
		if err != nil {
			L.RaiseError("%v", err)
		}
		t.Steps = steps
	case *lua.LNilType:
	default:
		L.RaiseError("task %q: the body must be a function or a list of task names, not a %s", name, b.Type())
	}
	p.Tasks.Define(t)
	return 0
}

func taskOpts(L *lua.LState, t *lua.LTable, name string, o *tasks.Options) error {
	opts, err := luaval.Options(L, t, "task "+name, taskOptions...)
	if err != nil {
		return err
	}
	if o.Roles, err = luaval.StringList(luaval.OptOr(opts, "roles"), "roles"); err != nil {
		return err
	}
	if o.Hosts, err = luaval.StringList(luaval.OptOr(opts, "hosts"), "hosts"); err != nil {
		return err
	}
	if o.Only, err = luaval.PropTable(luaval.OptOr(opts, "only"), "only"); err != nil {
		return err
	}
	if o.Except, err = luaval.PropTable(luaval.OptOr(opts, "except"), "except"); err != nil {
		return err
	}
	o.Once = lua.LVAsBool(luaval.OptOr(opts, "once"))
	if v, ok := opts["on_failure"].(lua.LString); ok {
		o.OnFailure = string(v)
	}
	o.Transaction = lua.LVAsBool(luaval.OptOr(opts, "transaction"))
	o.Pipelined = lua.LVAsBool(luaval.OptOr(opts, "pipelined"))
	if v := luaval.OptOr(opts, "on_error"); v != lua.LNil {
		if v.String() != "continue" && v.String() != "fail" {
			return errorf(`task %s: on_error must be "fail" or "continue", not %q`, name, v.String())
		}
		o.OnError = v.String()
	}
	return nil
}

// Before is before(task, task_or_fn, ...); After is after(...).
func (p *Project) Before(L *lua.LState) int { return p.hook(L, p.Tasks.Before) }
func (p *Project) After(L *lua.LState) int  { return p.hook(L, p.Tasks.After) }

func (p *Project) hook(L *lua.LState, add func(string, tasks.Hook)) int {
	target := L.CheckString(1)
	if L.GetTop() < 2 {
		L.RaiseError("a hook on %q needs a task name or a function to run", target)
	}
	for i := 2; i <= L.GetTop(); i++ {
		h := tasks.Hook{Where: luaval.Where(L), Scope: p.Scope()}
		switch v := L.Get(i).(type) {
		case lua.LString:
			h.Task = string(v)
		case *lua.LFunction:
			h.Fn = v
		default:
			L.RaiseError("a hook on %q must be a task name or a function, not a %s", target, v.Type())
		}
		add(target, h)
	}
	return 0
}

// Clear is clear(name): it drops a task's body and hooks, like Rake's clear.
func (p *Project) Clear(L *lua.LState) int {
	name, err := p.Resolve(L.CheckString(1), p.Scope())
	if err != nil {
		L.RaiseError("%v", err)
	}
	p.Tasks.Clear(name)
	return 0
}

// Alias is alias(name, also): it makes also a second name of task name.
func (p *Project) Alias(L *lua.LState) int {
	if err := p.Tasks.Alias(L.CheckString(1), L.CheckString(2)); err != nil {
		L.RaiseError("%v", err)
	}
	return 0
}
