// Package tasks is the task graph: definitions, hooks, aliases and the
// order in which invoking a task runs them. It knows nothing of Lua; a
// body is an opaque value the engine calls.
package tasks

// Options are the task options a Deployfile may give (task(name, opts, fn)).
type Options struct {
	Roles       []string
	Hosts       []string
	Only        map[string]any
	Except      map[string]any
	Once        bool   // run on one host only (the first that matches)
	Transaction bool   // wrap the body and its steps in a transaction
	OnError     string // "" (fail the run) or "continue" (drop failed hosts)
	OnFailure   string // a task to invoke when this one fails, after any undo
	Pipelined   bool   // send its commands without waiting for each to end
}

// Task is one named task.
type Task struct {
	Name  string
	Desc  string
	Where string // file:line of the latest definition
	Lines [2]int // first and last line of its source in Where's file
	Opts  Options
	Body  any      // a Lua function, or nil
	Steps []string // tasks run in order, for tasks defined as a list
}

// Hook runs before or after a task: another task, or a function.
type Hook struct {
	Task  string // the task to run, or "" for Fn
	Fn    any
	Where string // file:line where before()/after() was called
	Scope string // the namespace before()/after() was called in: Task is relative to it
}

// Label is how a hook reads in --explain and in errors.
func (h Hook) Label() string {
	if h.Task != "" {
		return h.Task
	}
	return "function at " + h.Where
}
