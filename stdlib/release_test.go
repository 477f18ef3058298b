package stdlib

import (
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// hostileReleaseNames are names a release must never have, each with a
// word its reason must hold.
var hostileReleaseNames = []struct{ name, reason string }{
	{"", "empty"},
	{".", "directory"},
	{"..", "directory"},
	{"a/b", "'/'"},
	{"../shared", "'/'"},
	{"/", "'/'"},
	{"-x", "starts with '-'"},
	{".hidden", "starts with '.'"},
	{"_x", "starts with '_'"},
	{" x", "starts with ' '"},
	{"x y", "' ' at byte 2"},
	{"a;b", "';' at byte 2"},
	{"$(touch /tmp/x)", "'/'"},
	{"$(touch)", "starts with '$'"},
	{"a`id`", "'`' at byte 2"},
	{"r\u00e9l", "'é' at byte 2"},
	{"\u0661\u0662", "starts with '١'"},
	{strings.Repeat("1", 65), "65 bytes long"},
	{"x\n", `'\n' at byte 2`},
	{"x\x00", `'\x00' at byte 2`},
	{"a*", "'*' at byte 2"},
}

var goodReleaseNames = []string{"20260101000001", "v1.2_rc-3", "a", "20260101000001_20251231235959", strings.Repeat("9", 64)}

func TestReleaseNameProblem(t *testing.T) {
	for _, tt := range hostileReleaseNames {
		if got := ReleaseNameProblem(tt.name); !strings.Contains(got, tt.reason) {
			t.Errorf("ReleaseNameProblem(%q) = %q, want a reason holding %q", tt.name, got, tt.reason)
		}
	}
	for _, name := range goodReleaseNames {
		if got := ReleaseNameProblem(name); got != "" {
			t.Errorf("ReleaseNameProblem(%q) = %q, want it accepted", name, got)
		}
	}
}

// The Lua helper follows the Go rule, and refuses what is not a string.
func TestReleaseModule(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	Preload(L)
	if err := L.DoString(`check = require("luacap.release").valid_release_name`); err != nil {
		t.Fatal(err)
	}
	call := func(arg lua.LValue) (bool, string) {
		t.Helper()
		if err := L.CallByParam(lua.P{Fn: L.GetGlobal("check"), NRet: 2, Protect: true}, arg); err != nil {
			t.Fatalf("valid_release_name(%v): %v", arg, err)
		}
		ok, reason := L.Get(-2), L.Get(-1)
		L.Pop(2)
		return lua.LVAsBool(ok), lua.LVAsString(reason)
	}
	for _, tt := range hostileReleaseNames {
		if ok, reason := call(lua.LString(tt.name)); ok || reason != ReleaseNameProblem(tt.name) {
			t.Errorf("valid_release_name(%q) = %v, %q", tt.name, ok, reason)
		}
	}
	for _, name := range goodReleaseNames {
		if ok, reason := call(lua.LString(name)); !ok || reason != "" {
			t.Errorf("valid_release_name(%q) = %v, %q; want true", name, ok, reason)
		}
	}
	for _, v := range []lua.LValue{lua.LNil, lua.LTrue, lua.LNumber(1), L.NewTable()} {
		if ok, reason := call(v); ok || !strings.Contains(reason, "not a string") {
			t.Errorf("valid_release_name(%v) = %v, %q; want refused as not a string", v, ok, reason)
		}
	}
}
