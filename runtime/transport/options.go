// Package transport is what the engine and the transports that reach
// servers share: ssh_options typed (read from the Deployfile once), a
// server's address, and the Transport interface itself.
package transport

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Options is a Deployfile's ssh_options, typed. A nil pointer or an empty
// string is a key the Deployfile did not set: ssh_config decides.
type Options struct {
	Config            *string // ssh_config file, like ssh -F; "" with NoConfig
	NoConfig          bool    // config = false: no ssh_config at all
	User              string
	Port              int
	Keys              []string
	IdentitiesOnly    *bool
	ForwardAgent      *bool
	ProxyJump         string
	KnownHosts        []string
	StrictHostKey     string // "yes", "accept-new" or "no"
	Timeout           *time.Duration
	KeepAliveInterval *time.Duration
	KeepAliveCountMax *int
	CommandTimeout    *time.Duration
}

// OptionKeys are the keys of ssh_options a Deployfile may set.
var OptionKeys = []string{
	"config", "user", "port", "keys", "identities_only", "forward_agent", "proxy_jump",
	"known_hosts", "strict_host_key_checking", "timeout", "keepalive_interval",
	"keepalive_count_max", "command_timeout",
}

// optionParsers read one key each; the value comes from Lua as a plain
// Go value (string, float64, bool, []any, map[string]any).
var optionParsers = map[string]func(o *Options, v any) error{
	"config":                   parseConfigOption,
	"user":                     func(o *Options, v any) error { return asString("user", v, &o.User) },
	"port":                     parsePort,
	"keys":                     func(o *Options, v any) error { return asStrings("keys", v, &o.Keys) },
	"identities_only":          func(o *Options, v any) error { return asBool("identities_only", v, &o.IdentitiesOnly) },
	"forward_agent":            func(o *Options, v any) error { return asBool("forward_agent", v, &o.ForwardAgent) },
	"proxy_jump":               func(o *Options, v any) error { return asString("proxy_jump", v, &o.ProxyJump) },
	"known_hosts":              func(o *Options, v any) error { return asStrings("known_hosts", v, &o.KnownHosts) },
	"strict_host_key_checking": parseStrict,
	"timeout":                  func(o *Options, v any) error { return asSeconds("timeout", v, &o.Timeout) },
	"keepalive_interval":       func(o *Options, v any) error { return asSeconds("keepalive_interval", v, &o.KeepAliveInterval) },
	"keepalive_count_max":      parseCountMax,
	"command_timeout":          func(o *Options, v any) error { return asSeconds("command_timeout", v, &o.CommandTimeout) },
}

// ParseOptions reads ssh_options once into Options. An unknown key, or a
// value of the wrong type, is an error naming the key.
func ParseOptions(opts map[string]any) (Options, error) {
	var o Options
	var bad []string
	for k := range opts {
		if optionParsers[k] == nil {
			bad = append(bad, fmt.Sprintf("%q", k))
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return o, fmt.Errorf("ssh_options: %s is not an option; the options are %s", strings.Join(bad, ", "), strings.Join(OptionKeys, ", "))
	}
	for _, k := range OptionKeys { // a fixed order: the same error every run
		if v, ok := opts[k]; ok {
			if err := optionParsers[k](&o, v); err != nil {
				return Options{}, err
			}
		}
	}
	return o, nil
}

func typeError(key, want string, v any) error {
	return fmt.Errorf("ssh_options.%s must be %s, not %s", key, want, describe(v))
}

// describe shows a Lua value as the user wrote it.
func describe(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("%q", v)
	case float64, bool:
		return fmt.Sprint(v)
	case []any:
		return "a list"
	case map[string]any:
		return "a table"
	case nil:
		return "nil"
	}
	return fmt.Sprintf("a %T", v)
}

func parseConfigOption(o *Options, v any) error {
	switch v := v.(type) {
	case string:
		if v != "" {
			o.Config = &v
			return nil
		}
	case bool:
		if !v {
			o.NoConfig = true
			return nil
		}
	}
	return typeError("config", "an ssh_config file name, or false for none", v)
}

func asString(key string, v any, dst *string) error {
	s, ok := v.(string)
	if !ok || s == "" {
		return typeError(key, "a non-empty string", v)
	}
	*dst = s
	return nil
}

// asStrings takes one string or a list of strings.
func asStrings(key string, v any, dst *[]string) error {
	want := "a string or a list of strings"
	switch v := v.(type) {
	case string:
		if v != "" {
			*dst = []string{v}
			return nil
		}
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			s, ok := x.(string)
			if !ok || s == "" {
				return fmt.Errorf("ssh_options.%s must be %s, not a list holding %s", key, want, describe(x))
			}
			out = append(out, s)
		}
		if len(out) > 0 {
			*dst = out
			return nil
		}
	}
	return typeError(key, want, v)
}

func asBool(key string, v any, dst **bool) error {
	b, ok := v.(bool)
	if !ok {
		return typeError(key, "true or false", v)
	}
	*dst = &b
	return nil
}

// whole returns v as an integer in [lo, hi].
func whole(v any, lo, hi int) (int, bool) {
	f, ok := v.(float64)
	if !ok || f != float64(int(f)) || int(f) < lo || int(f) > hi {
		return 0, false
	}
	return int(f), true
}

func parsePort(o *Options, v any) error {
	n, ok := whole(v, 1, 65535)
	if !ok {
		return typeError("port", "a number from 1 to 65535", v)
	}
	o.Port = n
	return nil
}

func asSeconds(key string, v any, dst **time.Duration) error {
	n, ok := whole(v, 0, 1<<31-1)
	if !ok {
		return typeError(key, "a whole number of seconds (0 or more)", v)
	}
	d := time.Duration(n) * time.Second
	*dst = &d
	return nil
}

func parseCountMax(o *Options, v any) error {
	n, ok := whole(v, 1, 1<<31-1)
	if !ok {
		return typeError("keepalive_count_max", "a whole number from 1 up", v)
	}
	o.KeepAliveCountMax = &n
	return nil
}

func parseStrict(o *Options, v any) error {
	switch v {
	case "yes", true:
		o.StrictHostKey = "yes"
	case "accept-new":
		o.StrictHostKey = "accept-new"
	case "no", false:
		o.StrictHostKey = "no"
	default:
		return fmt.Errorf(`ssh_options.strict_host_key_checking must be "yes", "accept-new" or "no", not %s`, describe(v))
	}
	return nil
}
