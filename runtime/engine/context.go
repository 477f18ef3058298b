package engine

import (
	"path"
	"sort"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/command"
	"github.com/luacap/luacap/runtime/luaval"
)

// cmdContext is what within(), with() and as() add to the commands of one
// thread of execution: a fiber, or the task level.
type cmdContext struct {
	frames []frame
}

type frame struct {
	dir  string
	env  []command.EnvVar
	user string
}

func (c *cmdContext) clone() *cmdContext {
	return &cmdContext{frames: append([]frame(nil), c.frames...)}
}

// spec folds the frames into a command.Spec for cmd. Relative directories
// nest under the enclosing within(), as in Capistrano.
func (c *cmdContext) spec(cmd string) command.Spec {
	s := command.Spec{Cmd: cmd}
	for _, f := range c.frames {
		switch {
		case f.dir == "":
		case path.IsAbs(f.dir) || s.Dir == "":
			s.Dir = f.dir
		default: // a relative dir nests in the enclosing one
			s.Dir = path.Join(s.Dir, f.dir)
		}
		s.Env = mergeEnv(s.Env, f.env)
		if f.user != "" {
			s.User = f.user
		}
	}
	return s
}

func mergeEnv(base, add []command.EnvVar) []command.EnvVar {
	out := append([]command.EnvVar(nil), base...)
	for _, v := range add {
		replaced := false
		for i := range out {
			if out[i].Name == v.Name {
				out[i].Value, replaced = v.Value, true
			}
		}
		if !replaced {
			out = append(out, v)
		}
	}
	return out
}

// contextOf returns the command context of the thread L runs in.
func (e *Engine) contextOf(L *lua.LState) *cmdContext {
	if f := e.sched.FiberOf(L); f != nil {
		return f.Data.(*cmdContext)
	}
	return e.mainCtx
}

// raw.ctx_push(kind, value) -> ok, depth | false, message.
func (e *Engine) rawCtxPush(L *lua.LState) int {
	kind, v := L.CheckString(1), L.Get(2)
	var f frame
	switch kind {
	case "dir":
		s, ok := v.(lua.LString)
		if !ok || s == "" {
			return luaval.Fail(L, "within() needs a directory, not %s", v.Type())
		}
		f.dir = string(s)
	case "user":
		s, ok := v.(lua.LString)
		if !ok || s == "" {
			return luaval.Fail(L, "as() needs a user name, not %s", v.Type())
		}
		f.user = string(s)
	case "env":
		env, err := envTable(v)
		if err != nil {
			return luaval.Fail(L, "%v", err)
		}
		f.env = env
	}
	c := e.contextOf(L)
	c.frames = append(c.frames, f)
	return luaval.Push(L, lua.LTrue, lua.LNumber(len(c.frames)-1))
}

// raw.ctx_pop(depth) drops frames back to depth, even after an error.
func (e *Engine) rawCtxPop(L *lua.LState) int {
	c := e.contextOf(L)
	if depth := L.CheckInt(1); depth >= 0 && depth <= len(c.frames) {
		c.frames = c.frames[:depth]
	}
	return 0
}

// envTable reads with()'s {NAME = value} table in a stable order.
func envTable(v lua.LValue) ([]command.EnvVar, error) {
	t, ok := v.(*lua.LTable)
	if !ok {
		return nil, errorf("with() needs a table of environment variables, like {RAILS_ENV = \"production\"}")
	}
	var env []command.EnvVar
	var err error
	t.ForEach(func(k, val lua.LValue) {
		name := k.String()
		if !command.ValidEnvName(name) && err == nil {
			err = errorf("with(): %q is not a valid environment variable name", name)
		}
		env = append(env, command.EnvVar{Name: name, Value: lua.LVAsString(val)})
	})
	sort.Slice(env, func(i, j int) bool { return env[i].Name < env[j].Name })
	return env, err
}
