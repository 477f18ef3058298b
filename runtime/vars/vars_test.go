package vars

import (
	"testing"

	lua "github.com/yuin/gopher-lua"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want lua.LValue
	}{
		{"true", lua.LTrue}, {"false", lua.LFalse}, {"5", lua.LString("5")}, {"20260101000001", lua.LString("20260101000001")},
		{"0755", lua.LString("0755")}, {"1e3", lua.LString("1e3")}, {"main", lua.LString("main")}, {"", lua.LString("")},
	}
	for _, tt := range tests {
		if got := Parse(tt.in); got != tt.want {
			t.Errorf("Parse(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

func TestOverridesWinAndLazyCaches(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	s := NewStore(map[string]string{"branch": "hotfix"})
	s.Set("branch", lua.LString("main"))
	if v, found, _ := s.Get("branch"); !found || v.String() != "hotfix" {
		t.Errorf("branch = %v, want the override", v)
	}
	s.Set("sha", L.NewFunction(func(*lua.LState) int { return 0 }))
	if _, _, lazy := s.Get("sha"); !lazy {
		t.Error("a function value is not lazy")
	}
	if ok, _ := s.Computing("sha", nil); !ok {
		t.Fatal("first computation refused")
	}
	if ok, same := s.Computing("sha", nil); ok || !same {
		t.Errorf("re-entry = %v, %v; want a cycle", ok, same)
	}
	s.Cache("sha", lua.LString("abc"))
	if v, _, lazy := s.Get("sha"); lazy || v.String() != "abc" {
		t.Errorf("after Cache: %v lazy=%v", v, lazy)
	}
	if _, found, _ := s.Get("missing"); found {
		t.Error("missing variable found")
	}
}
