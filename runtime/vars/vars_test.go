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

// Once loading is over, set() in a task replaces a -s value: a recipe
// that settles the release name under the lock wins over the proposal.
func TestSettleLetsTasksReplaceOverrides(t *testing.T) {
	s := NewStore(map[string]string{"release_name": "20260101000001", "branch": "hotfix"})
	s.Set("branch", lua.LString("main"))
	s.Settle()
	if v, _, _ := s.Get("branch"); v.String() != "hotfix" {
		t.Errorf("branch = %v after Settle, want the override kept", v)
	}
	s.Set("release_name", lua.LString("20260101000002"))
	if v, _, _ := s.Get("release_name"); v.String() != "20260101000002" {
		t.Errorf("release_name = %v, want the task's value", v)
	}
}

// Only Read counts as a read: Go's own Get (a report, a check) does not,
// and -s names stay known after Settle has merged them.
func TestReadsAreTracked(t *testing.T) {
	s := NewStore(map[string]string{"branch": "hotfix"})
	s.Set("keep_releases", lua.LNumber(3))
	s.Get("keep_releases")
	if s.WasRead("keep_releases") {
		t.Error("Get counted as a read")
	}
	for _, name := range []string{"keep_releases", "never_set"} {
		s.Read(name)
		if !s.WasRead(name) {
			t.Errorf("Read(%q) not counted", name)
		}
	}
	s.Settle()
	if got := s.Given(); len(got) != 1 || got[0] != "branch" {
		t.Errorf("Given() = %v, want [branch]", got)
	}
}
