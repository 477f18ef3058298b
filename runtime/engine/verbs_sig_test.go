package engine

import (
	"reflect"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

func TestParseSig(t *testing.T) {
	tests := []struct {
		sig     string
		params  []param
		returns []string
		err     string
	}{
		{sig: "fun()"},
		{sig: "fun(): string?", returns: []string{"string?"}},
		{sig: "fun(name: string, value: any, opts?: {secret?: boolean, mode?: string})",
			params: []param{{"name", "string", false}, {"value", "any", false}, {"opts", "{secret?: boolean, mode?: string}", true}}},
		{sig: "fun(...: string): boolean, string?", params: []param{{"...", "string", false}}, returns: []string{"boolean", "string?"}},
		{sig: "fun(env: table<string, string>, fn: fun(host: luacap.Host, n: integer): any): any",
			params: []param{{"env", "table<string, string>", false}, {"fn", "fun(host: luacap.Host, n: integer): any", false}}, returns: []string{"any"}},
		{sig: "function(a: string)", err: "does not start with fun("},
		{sig: "fun(a: {b: string)", err: "no closing parenthesis"},
		{sig: "fun(a)", err: `the parameter "a" is not "name: type"`},
		{sig: "fun(a: string, : string)", err: `the parameter ": string"`},
		{sig: "fun(a: string) string", err: `is not ": TYPE"`},
	}
	for _, tt := range tests {
		t.Run(tt.sig, func(t *testing.T) {
			params, returns, err := parseSig(tt.sig)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one with %q", err, tt.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(params, tt.params) || !reflect.DeepEqual(returns, tt.returns) {
				t.Errorf("got %+v %q %v, want %+v %q", params, returns, err, tt.params, tt.returns)
			}
		})
	}
}

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
