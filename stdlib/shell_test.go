package stdlib

import (
	"testing"

	lua "github.com/yuin/gopher-lua"
)

func TestShellModule(t *testing.T) {
	tests := []struct{ expr, want string }{
		{`shell.quote("plain")`, "plain"},
		{`shell.quote("it's here")`, `'it'\''s here'`},
		{`shell.join({"git", "clone", "a b"})`, "git clone 'a b'"},
		{`shell.join({})`, ""},
	}
	for _, tt := range tests {
		L := lua.NewState()
		Preload(L)
		if err := L.DoString(`shell = require("luacap.shell"); result = ` + tt.expr); err != nil {
			t.Fatalf("%s: %v", tt.expr, err)
		}
		if got := L.GetGlobal("result").String(); got != tt.want {
			t.Errorf("%s = %q, want %q", tt.expr, got, tt.want)
		}
		L.Close()
	}
}
