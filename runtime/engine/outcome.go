package engine

import (
	"strings"

	"github.com/luacap/luacap/runtime/tasks"
)

// Outcome is what a run that did not finish leaves on the hosts, as its
// final error tells it: never "undone" when it was not.
type Outcome struct {
	Undone     string   // the outermost transaction rolled back, if one was
	UndoneAll  bool     // and every undo inside it ran without failing
	Committed  []string // the outermost transactions that completed and stay
	NotRun     []string // the steps of the tasks asked for that did not complete
	Incomplete bool     // an undo or cleanup did not complete: see Engine.Unfinished
}

const incompleteClause = "undo incomplete: see the list above"

// says is the outcome in a line, for a run that stopped in task.
func (o Outcome) says(task string) string {
	var parts []string
	switch {
	case o.Undone != "" && o.UndoneAll:
		parts = append(parts, txPhrase(o.Undone)+" was undone on every host")
	case o.Undone != "":
		parts = append(parts, txPhrase(o.Undone)+" was not completely undone")
	}
	if n := len(o.Committed); n > 0 {
		verb := " had completed and stays"
		if n > 1 {
			verb = " had completed and stay"
		}
		parts = append(parts, strings.Join(o.Committed, ", ")+verb)
	}
	if o.listsNotRun(task) {
		parts = append(parts, "not run: "+strings.Join(o.NotRun, ", "))
	}
	if o.Incomplete {
		parts = append(parts, incompleteClause)
	}
	return strings.Join(parts, "; ")
}

// listsNotRun: what did not run matters once something stays (the new
// release is live, its bookkeeping is not done); a task needs no list
// that is only itself.
func (o Outcome) listsNotRun(task string) bool {
	if len(o.NotRun) == 0 || len(o.NotRun) == 1 && o.NotRun[0] == task {
		return false
	}
	return len(o.Committed) > 0
}

// txPhrase names a transaction: a task's by its name, transaction()'s
// by where it was called ("the transaction at Deployfile.lua:12").
func txPhrase(name string) string {
	if strings.HasPrefix(name, "the transaction") {
		return name
	}
	return "the transaction " + name
}

// record is what the engine notes as a run goes, for its Outcome.
type record struct {
	committed []string
	undone    string
	undoneAll bool
	done      map[string]bool // tasks whose body completed
	left      []leftover      // undos and cleanups that did not complete
}

// noteCommit notes a transaction that committed; only the outermost
// count: an inner one is undone with its outer one.
func (e *Engine) noteCommit(name string) {
	if len(e.txs) == 0 {
		e.rec.committed = append(e.rec.committed, name)
	}
}

// noteRollback notes the outermost transaction rolled back, and whether
// every undo inside it (those of inner ones too) completed.
func (e *Engine) noteRollback(name string, leftBefore int) {
	if len(e.txs) == 0 {
		e.rec.undone, e.rec.undoneAll = name, len(e.rec.left) == leftBefore
	}
}

func (r *record) noteDone(task string) {
	if r.done == nil {
		r.done = map[string]bool{}
	}
	r.done[task] = true
}

// outcome is the record as the run ends, for the tasks asked for.
func (e *Engine) outcome(names []string) Outcome {
	o := Outcome{
		Undone: e.rec.undone, UndoneAll: e.rec.undoneAll,
		Committed: e.rec.committed, Incomplete: len(e.rec.left) > 0,
	}
	for _, n := range names {
		o.NotRun = append(o.NotRun, e.notRun(n)...)
	}
	return o
}

// notRun lists what of task did not complete: itself, or for a task of
// steps that started, each of its steps that did not complete.
func (e *Engine) notRun(name string) []string {
	t, ok := e.p.Tasks.Lookup(name)
	if !ok || e.rec.done[t.Name] {
		return nil
	}
	if !e.ran[t.Name] || len(t.Steps) == 0 {
		return []string{t.Name}
	}
	var out []string
	for _, s := range t.Steps {
		if st, ok := e.p.Tasks.Resolve(s, tasks.ScopeOf(t.Name)); ok && !e.rec.done[st] {
			out = append(out, st)
		}
	}
	return out
}

// Says is the outcome in a line, for a run that stopped in task: what
// was undone, what stays, what did not run. The closing line uses it.
func (o Outcome) Says(task string) string { return o.says(task) }
