package project

import (
	"fmt"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// TaskList returns the lines luacap -T prints: described tasks with their
// descriptions, or with all, every task.
func (p *Project) TaskList(all bool) string {
	var listed []string
	width := 0
	for _, n := range p.Tasks.Names() {
		if t, _ := p.Tasks.Lookup(n); t.Desc != "" || all {
			listed = append(listed, n)
			width = max(width, len(n))
		}
	}
	var b strings.Builder
	for _, n := range listed {
		t, _ := p.Tasks.Lookup(n)
		if t.Desc == "" {
			fmt.Fprintf(&b, "luacap %s\n", n)
			continue
		}
		fmt.Fprintf(&b, "luacap %-*s  # %s\n", width, n, strings.SplitN(t.Desc, "\n", 2)[0])
	}
	return b.String()
}

// Setting returns a variable's value as text, for what the command line
// reports (the release, the branch) or reads (log_file). A value still
// to be computed (a function not fetched yet) is not computed here: it
// reads as unset. Call it from the goroutine that owns the Lua state.
func (p *Project) Setting(name string) (string, bool) {
	v, found, lazy := p.Vars.Get(name)
	if !found || lazy {
		return "", false
	}
	switch v.Type() {
	case lua.LTString, lua.LTNumber:
		return v.String(), true
	}
	return "", false
}
