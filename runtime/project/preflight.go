package project

import (
	"fmt"
	"slices"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/luaval"
	"github.com/luacap/luacap/runtime/tasks"
	"github.com/luacap/luacap/stdlib"
)

// Preflight refuses, before anything runs, a run of the tasks names that
// would silently do nothing (no stage, a filter that matches no server, a
// role no server plays) or do harm (a release name that is a path).
func (p *Project) Preflight(names []string, filter host.Filter) error {
	if err := p.checkStage(names); err != nil {
		return err
	}
	if err := checkFilter(filter, p.Hosts.All()); err != nil {
		return err
	}
	if err := p.checkTaskRoles(names); err != nil {
		return err
	}
	return p.checkReleaseName()
}

// Check verifies what can be verified before anything runs: every hook
// and step names a known task, and every task asked for exists.
func (p *Project) Check(names []string) error {
	if err := p.Tasks.Check(); err != nil {
		return &LoadError{Err: err}
	}
	for _, n := range names {
		if _, ok := p.Tasks.Lookup(n); !ok {
			return &UsageError{Err: p.Tasks.Unknown(n)}
		}
	}
	return nil
}

// checkStage: when the Deployfile declares stages, every run names one;
// without it no server is declared and every task would run nowhere.
func (p *Project) checkStage(names []string) error {
	stages := p.Stages()
	if len(stages) == 0 {
		return nil
	}
	if _, found, _ := p.Vars.Get("stage"); found {
		return nil
	}
	msg := "no stage given: luacap STAGE TASK; the stages are " + strings.Join(stages, ", ")
	if len(names) > 0 {
		if c := host.Closest(names[0], stages); c != "" {
			msg += fmt.Sprintf(" (did you mean %q rather than %q?)", c, names[0])
		}
	}
	return &UsageError{Err: fmt.Errorf("%s", msg)}
}

// checkFilter: --hosts must be globs, and --hosts/--roles must leave at
// least one of the declared servers.
func checkFilter(f host.Filter, all []*host.Host) error {
	if err := f.Validate(); err != nil {
		return &UsageError{Err: err}
	}
	if f.Empty() || len(all) == 0 || len(f.Apply(all)) > 0 {
		return nil
	}
	var servers []string
	for _, h := range all {
		servers = append(servers, fmt.Sprintf("%s (%s)", h.Name, strings.Join(h.Roles, ", ")))
	}
	return &UsageError{Err: fmt.Errorf("no server matches %s (the flags, or $HOSTS and $ROLES); the servers are %s",
		f, strings.Join(servers, "; "))}
}

// checkTaskRoles: every task the run reaches by steps, hooks and
// on_failure names roles some server plays and hosts that are globs, so
// that a typo fails here rather than after the deploy went live.
func (p *Project) checkTaskRoles(names []string) error {
	seen := map[string]bool{}
	var walk func(name string) error
	walk = func(name string) error {
		t, ok := p.Tasks.Lookup(name)
		if !ok || seen[t.Name] {
			return nil // Check names unknown tasks
		}
		seen[t.Name] = true
		if err := p.checkTaskOptions(t.Name, t.Where, t.Opts.Roles, t.Opts.Hosts); err != nil {
			return err
		}
		for _, next := range p.reached(t.Name) {
			if err := walk(next); err != nil {
				return err
			}
		}
		return nil
	}
	for _, n := range names {
		if err := walk(n); err != nil {
			return err
		}
	}
	return nil
}

// reached are the tasks invoking name runs besides its body: its steps,
// its hook tasks and its on_failure task, each as the name resolves in
// the namespace it was written in.
func (p *Project) reached(name string) []string {
	t, _ := p.Tasks.Lookup(name)
	scope := tasks.ScopeOf(t.Name)
	var out []string
	add := func(name, scope string) {
		if found, ok := p.Tasks.Resolve(name, scope); ok {
			out = append(out, found)
		}
	}
	for _, s := range t.Steps {
		add(s, scope)
	}
	before, after := p.Tasks.Hooks(t.Name)
	for _, h := range slices.Concat(before, after) {
		if h.Task != "" {
			add(h.Task, h.Scope)
		}
	}
	if t.Opts.OnFailure != "" {
		add(t.Opts.OnFailure, scope)
	}
	return out
}

func (p *Project) checkTaskOptions(name, where string, roles, hosts []string) error {
	if err := p.CheckRoles(roles...); err != nil {
		return &LoadError{Err: fmt.Errorf("%s: task %s: %v", where, name, err)}
	}
	for _, pat := range hosts {
		if err := host.ValidGlob(pat); err != nil {
			return &LoadError{Err: fmt.Errorf("%s: task %s: hosts %v", where, name, err)}
		}
	}
	return nil
}

// checkReleaseName: release_name, however it is set, is one plain path
// segment. It names the directory cleanup and rollback remove with rm -rf,
// so "" or "../shared" would remove what is not a release.
func (p *Project) checkReleaseName() error {
	fetch := p.l.GetGlobal("fetch")
	if err := p.l.CallByParam(lua.P{Fn: fetch, NRet: 1, Protect: true}, lua.LString("release_name")); err != nil {
		return &LoadError{Err: luaval.CallError(err)}
	}
	v := p.l.Get(-1)
	p.l.Pop(1)
	var name, problem string
	switch v := v.(type) {
	case lua.LString, lua.LNumber:
		name = v.String()
		problem = stdlib.ReleaseNameProblem(name)
	default:
		name, problem = v.String(), fmt.Sprintf("it is a %s, not a string", v.Type())
	}
	if problem == "" {
		return nil
	}
	return &UsageError{Err: fmt.Errorf("release_name %q is not a valid release name: %s; %s", name, problem, stdlib.ReleaseNameRule)}
}
