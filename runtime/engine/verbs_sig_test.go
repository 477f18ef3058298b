package engine

import (
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// TestMetaIsLua: each generated file is Lua that loads (LuaLS reads it
// as Lua too), and declares each function of the table once.
func TestMetaIsLua(t *testing.T) {
	files, err := GenerateMeta()
	if err != nil {
		t.Fatal(err)
	}
	L := lua.NewState()
	defer L.Close()
	all := ""
	for p, src := range files {
		if _, err := L.Load(strings.NewReader(src), p); err != nil {
			t.Errorf("%s: %v", p, err)
		}
		all += src
	}
	for _, v := range verbs {
		name := v.Name
		if v.Kind == Field {
			name = name[strings.LastIndex(name[:strings.LastIndex(name, ".")], ".")+1:]
		}
		if (v.global() || v.Kind == Field) && strings.Count(all, "\nfunction "+name+"(") != 1 {
			t.Errorf("%s is not declared once in the meta files", name)
		}
	}
}
