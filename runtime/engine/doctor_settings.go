package engine

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/luaval"
	"github.com/luacap/luacap/runtime/sched"
)

// refusedVerbs are the globals that reach a host, this machine or the
// terminal. While doctor computes a lazy value they raise instead, so a
// value that needs one stays uncomputed and nothing runs anywhere.
var refusedVerbs = []string{"run", "execute", "sudo", "capture", "test", "put", "upload", "download",
	"rsync", "run_locally", "on", "previous_release"}

// noCommand and noPrompt mark the errors of a refused verb and prompt.
const (
	noCommand = "doctor runs no command"
	noPrompt  = "doctor asks nothing"
)

// writeSettings prints every variable, sorted, secrets masked. A lazy
// value is computed only when it runs no command and asks nothing.
func (e *Engine) writeSettings(w io.Writer) {
	fmt.Fprintln(w, "Settings (a lazy value is computed when it runs no command and asks nothing):")
	for _, name := range e.p.Vars.Names() {
		_, _, lazy := e.p.Vars.Get(name)
		text, err := e.settingText(name, lazy)
		switch {
		case err != nil && strings.Contains(err.Error(), noCommand):
			text = "(lazy: runs commands; computed when a task reads it)"
		case err != nil && strings.Contains(err.Error(), noPrompt):
			text = "(lazy: asks for input when a task reads it)"
		case err != nil:
			text = "(lazy: fails: " + firstLine(err.Error()) + ")"
		case lazy:
			text += " (lazy, computed)"
		}
		fmt.Fprintf(w, "  %s = %s\n", name, e.out.Mask(text))
	}
}

// settingText is a variable's value as a Lua literal.
func (e *Engine) settingText(name string, lazy bool) (string, error) {
	if !lazy {
		v, _, _ := e.p.Vars.Get(name)
		return literal(luaval.ToGo(v)), nil
	}
	v, err := e.fetchSealed(name)
	if err != nil {
		return "", err
	}
	return literal(luaval.ToGo(v)), nil
}

// fetchSealed is fetch(name) with the refused verbs raising and the
// prompt refusing, put back as they were afterwards.
func (e *Engine) fetchSealed(name string) (lua.LValue, error) {
	L := e.p.Lua()
	saved := map[string]lua.LValue{}
	for _, verb := range refusedVerbs {
		saved[verb] = L.GetGlobal(verb)
		L.SetGlobal(verb, L.NewFunction(func(L *lua.LState) int {
			L.RaiseError("%s", noCommand)
			return 0
		}))
	}
	prompt := e.opts.Prompt
	e.opts.Prompt = func(string, bool) (string, error) { return "", fmt.Errorf("%s", noPrompt) }
	defer func() {
		for verb, v := range saved {
			L.SetGlobal(verb, v)
		}
		e.opts.Prompt = prompt
	}()
	if err := L.CallByParam(lua.P{Fn: L.GetGlobal("fetch"), NRet: 1, Protect: true}, lua.LString(name)); err != nil {
		return lua.LNil, sched.LuaError(err)
	}
	v := L.Get(-1)
	L.Pop(1)
	return v, nil
}

// literal writes a value as Lua would: "text", 3, true, { "a", "b" },
// { key = value } with the keys sorted.
func literal(v any) string {
	switch v := v.(type) {
	case string:
		return strconv.Quote(v)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case []any:
		parts := make([]string, len(v))
		for i, item := range v {
			parts[i] = literal(item)
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + " = " + literal(v[k])
		}
		if len(parts) == 0 {
			return "{}"
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	}
	return "nil"
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
