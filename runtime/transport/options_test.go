package transport

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseOptionsRefusesWrongTypes(t *testing.T) {
	tests := []struct {
		opts map[string]any
		want string
	}{
		{map[string]any{"port": "abc"}, `ssh_options.port must be a number from 1 to 65535, not "abc"`},
		{map[string]any{"port": float64(0)}, `ssh_options.port must be a number from 1 to 65535, not 0`},
		{map[string]any{"port": float64(70000)}, `ssh_options.port must be a number from 1 to 65535, not 70000`},
		{map[string]any{"port": 22.5}, `ssh_options.port must be a number from 1 to 65535, not 22.5`},
		{map[string]any{"keys": float64(5)}, `ssh_options.keys must be a string or a list of strings, not 5`},
		{map[string]any{"keys": []any{"/k", true}}, `ssh_options.keys must be a string or a list of strings, not a list holding true`},
		{map[string]any{"known_hosts": map[string]any{}}, `ssh_options.known_hosts must be a string or a list of strings, not a table`},
		{map[string]any{"forward_agent": "yes"}, `ssh_options.forward_agent must be true or false, not "yes"`},
		{map[string]any{"identities_only": float64(1)}, `ssh_options.identities_only must be true or false, not 1`},
		{map[string]any{"user": false}, `ssh_options.user must be a non-empty string, not false`},
		{map[string]any{"proxy_jump": ""}, `ssh_options.proxy_jump must be a non-empty string, not ""`},
		{map[string]any{"config": true}, `ssh_options.config must be an ssh_config file name, or false for none, not true`},
		{map[string]any{"timeout": "10"}, `ssh_options.timeout must be a whole number of seconds (0 or more), not "10"`},
		{map[string]any{"command_timeout": float64(-1)}, `ssh_options.command_timeout must be a whole number of seconds (0 or more), not -1`},
		{map[string]any{"keepalive_count_max": float64(0)}, `ssh_options.keepalive_count_max must be a whole number from 1 up, not 0`},
		{map[string]any{"strict_host_key_checking": "ask"}, `ssh_options.strict_host_key_checking must be "yes", "accept-new" or "no", not "ask"`},
		{map[string]any{"prot": float64(22)}, `ssh_options: "prot" is not an option; the options are config, user, port, keys, identities_only, forward_agent, proxy_jump, known_hosts, strict_host_key_checking, timeout, keepalive_interval, keepalive_count_max, command_timeout`},
	}
	for _, tt := range tests {
		_, err := ParseOptions(tt.opts)
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParseOptions(%v) = %v, want %q", tt.opts, err, tt.want)
		}
	}
}

func TestParseOptionsReadsEachType(t *testing.T) {
	o, err := ParseOptions(map[string]any{
		"config": "~/cfg", "user": "deploy", "port": float64(2222), "keys": "/k", "identities_only": true,
		"forward_agent": false, "proxy_jump": "gate", "known_hosts": []any{"/a", "/b"},
		"strict_host_key_checking": true, "timeout": float64(5), "keepalive_interval": float64(0),
		"keepalive_count_max": float64(4), "command_timeout": float64(60),
	})
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case *o.Config != "~/cfg", o.User != "deploy", o.Port != 2222, !slices.Equal(o.Keys, []string{"/k"}),
		!*o.IdentitiesOnly, *o.ForwardAgent, o.ProxyJump != "gate", !slices.Equal(o.KnownHosts, []string{"/a", "/b"}),
		o.StrictHostKey != "yes", *o.Timeout != 5*time.Second, *o.KeepAliveInterval != 0,
		*o.KeepAliveCountMax != 4, *o.CommandTimeout != time.Minute:
		t.Errorf("ParseOptions read %+v", o)
	}
	if o, err := ParseOptions(map[string]any{"config": false}); err != nil || !o.NoConfig {
		t.Errorf("config = false: %+v, %v", o, err)
	}
}

// Every option refuses every value of a kind it does not take, with an
// error that names the option; none is read as a zero value silently.
func TestEveryOptionRefusesOtherKinds(t *testing.T) {
	list, table := []any{"a"}, map[string]any{"a": "b"}
	names := []any{float64(3), true, false, "", []any{float64(1)}, []any{"a", true}, table}
	flags := []any{"yes", float64(1), list, table}
	seconds := []any{"5", float64(-1), 1.5, true, list, table}
	wrong := map[string][]any{
		"config":                   {float64(3), true, "", list, table},
		"user":                     {float64(3), true, "", list, table},
		"port":                     {"22", true, float64(0), float64(65536), 2.5, list, table},
		"keys":                     names,
		"identities_only":          flags,
		"forward_agent":            flags,
		"proxy_jump":               {float64(3), false, "", list, table},
		"known_hosts":              names,
		"strict_host_key_checking": {"ask", "", float64(1), list, table},
		"timeout":                  seconds,
		"keepalive_interval":       seconds,
		"keepalive_count_max":      {float64(0), "3", 1.5, false, list, table},
		"command_timeout":          seconds,
	}
	if len(wrong) != len(OptionKeys) {
		t.Fatalf("the test covers %d options; there are %d", len(wrong), len(OptionKeys))
	}
	for _, k := range OptionKeys {
		for _, v := range wrong[k] {
			_, err := ParseOptions(map[string]any{k: v})
			if want := "ssh_options." + k + " must be "; err == nil || !strings.HasPrefix(err.Error(), want) {
				t.Errorf("%s = %#v: error %v, want one starting %q", k, v, err, want)
			}
		}
	}
}
