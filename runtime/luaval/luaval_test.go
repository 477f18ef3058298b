package luaval

import (
	"reflect"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

func eval(t *testing.T, L *lua.LState, src string) lua.LValue {
	t.Helper()
	if err := L.DoString("return " + src); err != nil {
		t.Fatal(err)
	}
	v := L.Get(-1)
	L.Pop(1)
	return v
}

// ToLua gives back what ToGo made of a value, for every kind ToGo makes.
func TestToGoAndBack(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	for _, src := range []string{`"x"`, `3`, `true`, `{ "a", "b" }`, `{ a = 1, b = { "c" } }`, `nil`} {
		v := ToGo(eval(t, L, src))
		if back := ToGo(ToLua(L, v)); !reflect.DeepEqual(back, v) {
			t.Errorf("%s: %#v came back as %#v", src, v, back)
		}
	}
	if ToGo(eval(t, L, `function() end`)) != nil {
		t.Error("a function is not nil in Go")
	}
}

func TestOptionsRefusesWhatIsNotAnOption(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	tests := []struct{ src, err string }{
		{`{ roles = "web" }`, ""},
		{`{ role = "web", hots = 1 }`, `task(): "hots", "role" is not an option; the options are roles, hosts`},
	}
	for _, tt := range tests {
		got, err := Options(L, eval(t, L, tt.src).(*lua.LTable), "task()", "roles", "hosts")
		switch {
		case tt.err == "" && (err != nil || OptOr(got, "roles").String() != "web" || OptOr(got, "hosts") != lua.LNil):
			t.Errorf("%s: %v %v", tt.src, got, err)
		case tt.err != "" && (err == nil || err.Error() != tt.err):
			t.Errorf("%s: error %v, want %q", tt.src, err, tt.err)
		}
	}
}

func TestStringList(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	tests := []struct {
		src  string
		want []string
		err  string
	}{
		{`"web"`, []string{"web"}, ""},
		{`{ "web", "db" }`, []string{"web", "db"}, ""},
		{`nil`, nil, ""},
		{`{ "web", 3 }`, nil, "roles must be a list of strings, not a list holding a number"},
		{`3`, nil, "roles must be a string or a list of strings, not a number"},
	}
	for _, tt := range tests {
		got, err := StringList(eval(t, L, tt.src), "roles")
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: error %v, want %q", tt.src, err, tt.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: %v %v, want %v", tt.src, got, err, tt.want)
		}
	}
}
