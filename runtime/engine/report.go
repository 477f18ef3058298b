package engine

import lua "github.com/yuin/gopher-lua"

// Setting returns a variable's value as text, for what the command line
// reports (the release, the branch) or reads (log_file). A value still
// to be computed (a function not fetched yet) is not computed here: it
// reads as unset. Call it from the goroutine that owns the engine.
func (e *Engine) Setting(name string) (string, bool) {
	v, found, lazy := e.vars.Get(name)
	if !found || lazy {
		return "", false
	}
	switch v.Type() {
	case lua.LTString, lua.LTNumber:
		return v.String(), true
	}
	return "", false
}

// Says is the outcome in a line, for a run that stopped in task: what
// was undone, what stays, what did not run. The closing line uses it.
func (o Outcome) Says(task string) string { return o.says(task) }
