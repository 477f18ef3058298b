package luameta

import (
	"reflect"
	"strings"
	"testing"
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
