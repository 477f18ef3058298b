package engine

import (
	"os"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/luaval"
	"github.com/luacap/luacap/runtime/output"
)

// raw.var_begin(name) -> ok, message: marks a lazy value as computing.
func (e *Engine) rawVarBegin(L *lua.LState) int {
	name := L.CheckString(1)
	ok, same := e.p.Vars.Computing(name, e.owner(L))
	switch {
	case ok:
		return luaval.Push(L, lua.LTrue)
	case same:
		return luaval.Fail(L, "variable %q refers to itself through its own lazy value", name)
	}
	return luaval.Fail(L, "variable %q is being computed by another host; fetch it once at task level, before on(), so every host shares one value", name)
}

// raw.prompt(name, prompt, echo, default) -> ok, answer: reads ask()'s
// answer: from the environment variable askEnv(name) when it is set (no
// terminal needed, nothing on the command line), else from the terminal;
// without one, "" stands for the default. It blocks the owner goroutine
// on purpose: one prompt at a time.
func (e *Engine) rawPrompt(L *lua.LState) int {
	name, prompt, echo := L.CheckString(1), L.CheckString(2), L.OptBool(3, true)
	def, hasDefault := L.Get(4).(lua.LString)
	env := askEnv(name)
	if v, ok := os.LookupEnv(env); ok {
		return luaval.Push(L, lua.LTrue, lua.LString(v))
	}
	if e.opts.Prompt == nil {
		if hasDefault {
			return luaval.Push(L, lua.LTrue, lua.LString(""))
		}
		return luaval.Fail(L, "variable %q asks for input (%q) but there is no terminal; set the environment variable %s to the answer", name, prompt, env)
	}
	if echo && hasDefault {
		prompt += " [" + string(def) + "]"
	}
	answer, err := e.opts.Prompt(prompt, echo)
	if err != nil {
		return luaval.Fail(L, "reading %q from the terminal: %v; or set the environment variable %s to the answer", name, err, env)
	}
	return luaval.Push(L, lua.LTrue, lua.LString(answer))
}

// askEnv is the environment variable that answers ask(name):
// LUACAP_ASK_ and the name in capitals, other characters as _.
func askEnv(name string) string {
	return "LUACAP_ASK_" + strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9'):
			return r
		}
		return '_'
	}, name)
}

// raw.secret(value): value is printed as [secret] from now on, in every
// output and in the final error.
func (e *Engine) rawSecret(L *lua.LState) int {
	e.out.SetSecrets(L.CheckString(1))
	return 0
}

// outsideTask is an error when a command verb runs while the Deployfile
// loads (outside any task): loading must change nothing, -T and
// --dry-run included.
func (e *Engine) outsideTask(L *lua.LState, verb string) error {
	if e.sched.FiberOf(L) != nil || len(e.running) > 0 {
		return nil
	}
	return errorf("%s runs outside any task: commands run only in tasks; put it in task(name, function() ... end)", verb)
}

// info(message) prints a message, naming the host inside on().
func (e *Engine) luaInfo(L *lua.LState) int {
	name := ""
	if f := e.sched.FiberOf(L); f != nil {
		name = f.Host.Name
	}
	e.out.Note(output.Normal, name, L.CheckString(1))
	return 0
}

// owner is who computes a lazy value: the fiber L runs in, or nil.
func (e *Engine) owner(L *lua.LState) any {
	if f := e.sched.FiberOf(L); f != nil {
		return f
	}
	return nil
}
