package luaval

import (
	"errors"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// A Lua error comes back as its message alone: the user's line, no Go
// stack; whether raised with error() or by a Go function.
func TestCallReturnsTheLuaMessage(t *testing.T) {
	for _, src := range []string{`error("boom")`, `check(1)`} {
		t.Run(src, func(t *testing.T) {
			L := lua.NewState()
			defer L.Close()
			L.SetGlobal("check", L.NewFunction(func(L *lua.LState) int { CheckName(L, 1, "task"); return 0 }))
			fn, err := L.LoadString(src)
			if err != nil {
				t.Fatal(err)
			}
			err = Call(L, fn)
			if err == nil || !strings.HasPrefix(err.Error(), "<string>:1: ") || strings.Contains(err.Error(), "stack traceback") {
				t.Fatalf("Call: %v; want the message at <string>:1 and no traceback", err)
			}
		})
	}
}

// CheckName refuses every value that is not a string, naming its type
// (and its value, when it would pass for a name).
func TestCheckNameRefusesWhatIsNotAString(t *testing.T) {
	cases := map[string]string{
		`"deploy"`: "",
		`1`:        "task(): the name must be a string, not the number 1",
		`true`:     "task(): the name must be a string, not the boolean true",
		`nil`:      "task(): the name must be a string, not the nil",
		`{}`:       "task(): the name must be a string, not the table",
	}
	for arg, want := range cases {
		t.Run(arg, func(t *testing.T) {
			L := lua.NewState()
			defer L.Close()
			L.SetGlobal("check", L.NewFunction(func(L *lua.LState) int { CheckName(L, 1, "task"); return 0 }))
			err := L.DoString("check(" + arg + ")")
			if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
				t.Fatalf("check(%s): %v; want %q", arg, err, want)
			}
		})
	}
}

// A parse error reads file:line: message, whatever the file's name.
func TestLoadMessage(t *testing.T) {
	for _, path := range []string{"Deployfile.lua", "deploy/my stage.lua", "luacap/recipes/x.lua"} {
		L := lua.NewState()
		_, err := L.Load(strings.NewReader("x = = 1"), path)
		L.Close()
		got := LoadMessage(path, err).Error()
		if !strings.HasPrefix(got, path+":1: ") || !strings.Contains(got, "(column ") {
			t.Errorf("LoadMessage(%q) = %q; want %q:1: ... (column n)", path, got, path)
		}
	}
	if got := LoadMessage("f", errors.New(" plain ")).Error(); got != "plain" {
		t.Errorf("LoadMessage of a plain error = %q; want it trimmed", got)
	}
}

// CallerOutside skips the frames of the named chunk: a wrapper's own
// lines never stand for where the user set something.
func TestCallerOutsideSkipsTheWrapper(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	var at string
	L.SetGlobal("where", L.NewFunction(func(L *lua.LState) int { at = CallerOutside(L, "wrapper"); return 0 }))
	wrapper, err := L.Load(strings.NewReader("return function() where() end"), "wrapper")
	if err != nil {
		t.Fatal(err)
	}
	if err := L.CallByParam(lua.P{Fn: wrapper, NRet: 1, Protect: true}); err != nil {
		t.Fatal(err)
	}
	L.SetGlobal("wrapped", L.Get(-1))
	L.Pop(1)
	if err := L.DoString("\n\nwrapped()"); err != nil {
		t.Fatal(err)
	}
	if at != "<string>:3" {
		t.Fatalf("CallerOutside = %q; want <string>:3, the user's line", at)
	}
}
