package project

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/luaval"
)

// serverOptions are the keys server() and role() read. Any other key is a
// property of the user's own, as in Capistrano (server "x", region: "eu"),
// unless it is a near miss of an option: role for roles, usr for user
// would otherwise become properties nothing reads. properties = {...}
// takes a property whose name is that close to an option.
var serverOptions = []string{"user", "port", "roles", "primary", "no_release", "transport", "ssh_options", "properties"}

// checkServerOptions fails on the first key, in order, that looks like a
// misspelt option, saying which one was meant and where such a property
// goes.
func checkServerOptions(props *lua.LTable) error {
	var bad []string
	props.ForEach(func(k, _ lua.LValue) {
		if name := k.String(); !isServerOption(name) && host.Closest(name, serverOptions) != "" {
			bad = append(bad, name)
		}
	})
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	return fmt.Errorf("%q is not an option (did you mean %q?); the options are %s; a property of your own by that name goes in properties = { %s = ... }",
		bad[0], host.Closest(bad[0], serverOptions), strings.Join(serverOptions, ", "), bad[0])
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
			h.Props[string(key)] = luaval.ToGo(v)
		}
	})
	return err
}
