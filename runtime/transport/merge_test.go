package transport

import (
	"reflect"
	"testing"
)

// Two values for every option, each different from the other, so that
// which one won shows. config is a file in one and false in the other:
// the two fields it sets must move together.
var (
	optionsA = map[string]any{
		"config": "a.conf", "user": "ga", "port": float64(2200), "keys": "/ka", "identities_only": true,
		"forward_agent": true, "proxy_jump": "gate-a", "known_hosts": "/kh-a", "strict_host_key_checking": "yes",
		"timeout": float64(5), "keepalive_interval": float64(6), "keepalive_count_max": float64(2),
		"command_timeout": float64(7),
	}
	optionsB = map[string]any{
		"config": false, "user": "hb", "port": float64(2201), "keys": []any{"/kb1", "/kb2"}, "identities_only": false,
		"forward_agent": false, "proxy_jump": "none", "known_hosts": []any{"/kh-b"}, "strict_host_key_checking": "accept-new",
		"timeout": float64(0), "keepalive_interval": float64(0), "keepalive_count_max": float64(9),
		"command_timeout": float64(0),
	}
)

// Merging typed options gives what reading the two tables merged, the
// server's keys over the Deployfile's, gave before: for every option,
// both ways round, alone or over all the others.
func TestMergeIsTheTablesMerged(t *testing.T) {
	if len(optionsA) != len(OptionKeys) || len(optionsB) != len(OptionKeys) {
		t.Fatalf("the test names %d and %d options; there are %d", len(optionsA), len(optionsB), len(OptionKeys))
	}
	for _, pair := range [][2]map[string]any{{optionsA, optionsB}, {optionsB, optionsA}} {
		all, other := pair[0], pair[1]
		for _, k := range OptionKeys {
			one := map[string]any{k: other[k]}
			allBut := without(other, k)
			cases := []struct {
				name         string
				global, host map[string]any
			}{
				{"one over all: " + k, all, one},
				{"one over none: " + k, nil, one},
				{"all but one over one: " + k, map[string]any{k: all[k]}, allBut},
				{"none over all", all, nil},
			}
			for _, c := range cases {
				got := Merge(mustParse(t, c.global), mustParse(t, c.host))
				if want := mustParse(t, mergeTables(c.global, c.host)); !reflect.DeepEqual(got, want) {
					t.Errorf("%s: Merge = %+v, want %+v", c.name, got, want)
				}
			}
		}
	}
}

func mustParse(t *testing.T, m map[string]any) Options {
	t.Helper()
	o, err := ParseOptions(m)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func mergeTables(global, own map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range global {
		out[k] = v
	}
	for k, v := range own {
		out[k] = v
	}
	return out
}

func without(m map[string]any, key string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}
