package engine

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/host"
)

// serverOptions are the keys server() and role() take. A property of the
// user's own goes in properties = {...}, so that a typo such as role for
// roles fails instead of becoming a property nothing reads.
var serverOptions = []string{"user", "port", "roles", "primary", "no_release", "transport", "ssh_options", "properties"}

// checkServerOptions fails on the first key, in order, that is not an
// option, saying which one was meant and where a property of one's own goes.
func checkServerOptions(props *lua.LTable) error {
	var bad []string
	props.ForEach(func(k, _ lua.LValue) {
		if name := k.String(); !isServerOption(name) {
			bad = append(bad, name)
		}
	})
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	msg := fmt.Sprintf("%q is not an option", bad[0])
	if c := host.Closest(bad[0], serverOptions); c != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", c)
	}
	return fmt.Errorf("%s; the options are %s; a property of your own goes in properties = { %s = ... }",
		msg, strings.Join(serverOptions, ", "), bad[0])
}

func isServerOption(name string) bool { return slices.Contains(serverOptions, name) }

// applyOwnProps reads properties = { region = "eu" }: each becomes a
// field of the host table recipes see, and a property only = {...} matches.
func applyOwnProps(h *host.Host, v lua.LValue) error {
	t, ok := v.(*lua.LTable)
	if !ok {
		return fmt.Errorf("properties must be a table, like { region = \"eu\" }, not a %s", v.Type())
	}
	var err error
	t.ForEach(func(k, v lua.LValue) {
		key, isName := k.(lua.LString)
		switch {
		case err != nil:
		case !isName:
			err = fmt.Errorf("properties: the names must be strings, not the %s %s", k.Type(), k)
		case isServerOption(string(key)) || key == "name" || key == "hostname":
			err = fmt.Errorf("properties: %q is a server option or field, not a property; give it outside properties", string(key))
		default:
			h.Props[string(key)] = toGo(v)
		}
	})
	return err
}
