package engine

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/recipes"
	"github.com/luacap/luacap/runtime/output"
)

// argSets are the arguments every global function is called with: none,
// a string, a number, a table, a thread. Most are bad arguments for most
// functions; goodArgs adds the ones a function needs to succeed.
var argSets = [][]string{{}, {`"x"`}, {"1"}, {"{}"}, {"coroutine.create(function() end)"}}

// goodArgs are arguments with which a function succeeds, for the
// functions argSets never satisfy.
var goodArgs = map[string][]string{
	"set": {`"y", 1`}, "set_if_empty": {`"y", 1`}, "append": {`"y", 1`}, "remove": {`"y", 1`},
	"fetch": {`"application"`}, "ask": {`"y", "Y?", { default = "n" }`}, "env_secret": {`"HOME"`},
	"server": {`"h9", { transport = "local" }`}, "role": {`"web", { "h9" }`}, "roles": {`"web"`},
	"primary": {`"web"`}, "stage": {`"qa", function() end`}, "namespace": {`"n", function() end`},
	"desc": {`"text"`}, "task": {`"t2", function() end`}, "before": {`"t", function() end`},
	"after": {`"t", function() end`}, "clear": {`"t"`}, "alias": {`"t", "t9"`},
	"transaction": {`function() return 1 end`}, "on_exit": {`function() end`}, "use": {`"passenger"`},
	"run_locally": {`"true"`}, "info": {`"hello"`}, "with": {`{ A = "1" }, function() return 1 end`},
	"within": {`"/tmp", function() return 1 end`}, "as": {`"root", function() return 1 end`},
	"on": {`{}, function() end`}, "invoke": {`"t"`}, "invoke_again": {`"t"`}, "require": {`"luacap.shell"`},
	"pcall": {`tostring, 1`}, "xpcall": {`tostring, print, 1`}, "loadstring": {`"return 1"`},
	"select": {`1, "a"`}, "setmetatable": {`{}, {}`}, "rawget": {`{}, 1`}, "rawset": {`{}, 1, 2`},
	"rawequal": {`1, 1`}, "next": {`{ 1 }`}, "getfenv": {`print`}, "setfenv": {`function() end, {}`},
	"unpack": {`{ 1, 2 }`}, "load": {`function() return nil end`}, "module": {`"m"`},
	"execute": {`"true"`}, "run": {`"true"`}, "sudo": {`"true"`}, "capture": {`"echo hi"`}, "test": {`"false"`},
	"put": {`"x", fetch("dir") .. "/put"`}, "upload": {`"/etc/hostname", fetch("dir") .. "/up"`},
	"download": {`"/etc/hostname", fetch("dir") .. "/down"`}, "ssh_address": {`roles("web")[1]`},
	"rsync": {`"/etc/ssh", fetch("dir") .. "/rsync"`}, "on_rollback": {`"true"`},
}

// insideOn are the verbs called inside on(), where they reach a host
// (a local one) and pcall must let them yield to the scheduler.
var insideOn = map[string]bool{
	"execute": true, "run": true, "sudo": true, "capture": true, "test": true, "put": true,
	"upload": true, "download": true, "rsync": true, "within": true, "with": true, "as": true,
	"ssh_address": true, "previous_release": true, "local_tempdir": true, "prepare_rsync": true,
}

// inTransaction are the verbs that do nothing outside a transaction.
var inTransaction = map[string]bool{"on_rollback": true}

// skipped are globals whose results differ by design when called
// through another function: module() sets its caller's environment.
var skipped = map[string]bool{"module": true}

// pcallDeployfile is loaded before each call: enough for the verbs to
// find what they read. The call is result = { CALL } at load time, or
// inside on() for the verbs of insideOn.
const pcallDeployfile = `set("application", "app")
set("deploy_to", "/tmp/luacap-pcall-test")
server("h1", { transport = "local", roles = { "web" } })
task("t", function() end)
task("probe", function() on(roles("web"), function() result = { %s } end) end)
`

// TestPcallAgreesWithACall calls every global function, the builtins
// (require, tostring) and luacap's verbs alike, through pcall and
// directly, each in a fresh engine: pcall must answer as the call did,
// true and the same results, or false and a message, never a Go panic.
// Before pcall ran its body in a Lua function, pcall(require, "x") and
// pcall(tostring, 1) returned false.
func TestPcallAgreesWithACall(t *testing.T) {
	succeeded, failed := map[string]bool{}, map[string]bool{}
	for _, name := range globalFunctions(t) {
		if skipped[name] {
			continue
		}
		for _, args := range append(argSets, goodArgs[name]) {
			if args == nil {
				continue
			}
			call := name + "(" + strings.Join(args, ", ") + ")"
			direct, directOK := callIn(t, name, call)
			via, ran := callIn(t, name, "pcall("+strings.Join(append([]string{name}, args...), ", ")+")")
			if !ran {
				t.Fatalf("pcall(%s) raised %s", call, via)
			}
			first, via, _ := strings.Cut(via, ", ")
			viaOK := first == "boolean:true"
			if directOK != viaOK || (directOK && direct != via) {
				t.Errorf("%s: called directly: ok=%v %q; through pcall: ok=%v %q", call, directOK, direct, viaOK, via)
			}
			if !viaOK && (via == "" || strings.Contains(via, "goroutine ") || strings.Contains(via, ".go:")) {
				t.Errorf("pcall(%s): false with %q, want a message and no Go stack", call, via)
			}
			succeeded[name] = succeeded[name] || viaOK
			failed[name] = failed[name] || !viaOK
		}
	}
	for _, name := range luacapGlobals(t) {
		if !succeeded[name] {
			t.Errorf("%s never succeeded through pcall: give it arguments in goodArgs", name)
		}
		if !failed[name] && !acceptsAnything[name] {
			t.Errorf("%s never failed through pcall with bad arguments", name)
		}
	}
}

// acceptsAnything are luacap's globals without bad arguments: they
// ignore theirs and read variables the Deployfile set.
var acceptsAnything = map[string]bool{
	"deploy_to": true, "releases_path": true, "shared_path": true, "current_path": true,
	"release_path": true, "repo_path": true, "release_roles": true, "previous_release": true,
}

// callIn runs call in a fresh engine, at load time or inside on(), and
// returns the results shown as text, or the error, and whether it ran.
func callIn(t *testing.T, name, call string) (string, bool) {
	t.Helper()
	var b strings.Builder
	e, err := New(Options{Out: output.New(&b, output.Options{Level: output.Normal, Now: func() time.Time { return fixedNow }}), Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	e.p.Vars.Set("dir", lua.LString(t.TempDir()))
	if err := e.LoadRecipes(recipes.FS, nil); err != nil { // for use(), without the cost of loading them all
		t.Fatal(err)
	}
	probe := "nil"
	if insideOn[name] {
		probe = call
	}
	if err := e.LoadString("Deployfile.lua", fmt.Sprintf(pcallDeployfile, probe)); err != nil {
		t.Fatal(err)
	}
	if insideOn[name] {
		err = e.Run(context.Background(), []string{"probe"})
	} else if inTransaction[name] {
		err = e.LoadString("call.lua", "transaction(function() result = { "+call+" } end)")
	} else {
		err = e.LoadString("call.lua", "result = { "+call+" }")
	}
	if err != nil {
		return err.Error(), false
	}
	result, ok := e.p.Lua().GetGlobal("result").(*lua.LTable)
	if !ok { // module() set another environment for the rest of the chunk
		return "(no result)", true
	}
	return results(result), true
}

// results shows a table's values, with functions, tables and threads
// by type only, and addresses left out: each engine makes its own.
func results(t *lua.LTable) string {
	var parts []string
	for i := 1; i <= t.MaxN(); i++ {
		v := t.RawGetInt(i)
		switch v.Type() {
		case lua.LTFunction, lua.LTTable, lua.LTThread, lua.LTUserData:
			parts = append(parts, v.Type().String())
		default:
			shown := tempdir.ReplaceAllString(address.ReplaceAllString(v.String(), "0x"), "luacap-$1-X")
			parts = append(parts, v.Type().String()+":"+shown)
		}
	}
	return strings.Join(parts, ", ")
}

var address = regexp.MustCompile(`0x[0-9a-f]+`)

// tempdir is a directory local_tempdir made: a new name each call.
var tempdir = regexp.MustCompile(`luacap-(\w+)-[0-9a-f]{12}`)

// globalFunctions are the names of every function global in an engine.
func globalFunctions(t *testing.T) []string {
	t.Helper()
	var b strings.Builder
	e, err := New(Options{Out: output.New(&b, output.Options{})})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	var names []string
	e.p.Lua().G.Global.ForEach(func(k, v lua.LValue) {
		if _, ok := v.(*lua.LFunction); ok && !strings.HasPrefix(k.String(), "_") { // _printregs dumps the stack
			names = append(names, k.String())
		}
	})
	sort.Strings(names)
	return names
}

// luacapGlobals are the function globals an engine has that a plain Lua
// state does not: the ones luacap registers.
func luacapGlobals(t *testing.T) []string {
	t.Helper()
	plain := lua.NewState()
	defer plain.Close()
	var out []string
	for _, name := range globalFunctions(t) {
		if plain.GetGlobal(name) == lua.LNil {
			out = append(out, name)
		}
	}
	return out
}
