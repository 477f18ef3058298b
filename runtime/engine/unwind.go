package engine

import (
	"context"
	"fmt"
	"sync"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/backend"
	"github.com/luacap/luacap/runtime/luaval"
)

// unwind runs registrations last first, under a context that the
// interrupt which may have brought us here does not cancel. One that fails
// is reported as a "what" and the others still run. The commands one line
// registered for several hosts (inside on()) run on those hosts at once.
// What fails, and all that is left once the user insists (a second
// signal), is recorded for the report of what was not undone.
func (e *Engine) unwind(L *lua.LState, list []undo, what string) {
	if len(list) == 0 {
		return
	}
	restore := e.undoContext(L)
	defer restore()
	for _, batch := range undoBatches(list) {
		if e.opts.AbortCtx.Err() != nil {
			e.rec.leave(what, batch, batchHosts(batch))
			continue
		}
		failed, err := e.runUndo(L, batch)
		if err != nil {
			e.out.Warn(fmt.Sprintf("%s registered at %s failed: %v", what, batch[0].where, err))
		}
		if len(failed) > 0 {
			e.rec.leave(what, batch, failed)
		}
	}
}

// batchHosts are the names of the hosts a step of undoBatches targets.
func batchHosts(batch []undo) []string {
	var out []string
	for _, u := range batch {
		for _, h := range u.hosts {
			out = append(out, h.Name)
		}
	}
	return out
}

// undoBatches splits list, last registered first, into steps: a run of
// per-host commands registered at one line, each host at most once, is one
// step; anything else is a step of its own.
func undoBatches(list []undo) [][]undo {
	var out [][]undo
	for i := len(list) - 1; i >= 0; {
		first := list[i]
		batch := []undo{first}
		i--
		if batchable(first) {
			seen := map[string]bool{first.hosts[0].Name: true}
			for ; i >= 0 && batchable(list[i]) && list[i].where == first.where && !seen[list[i].hosts[0].Name]; i-- {
				seen[list[i].hosts[0].Name] = true
				batch = append(batch, list[i])
			}
		}
		out = append(out, batch)
	}
	return out
}

func batchable(u undo) bool { return u.cmd != "" && u.perHost && len(u.hosts) == 1 }

// runUndo runs one step of undoBatches. It returns the hosts it did not
// complete on: those whose command failed; for a function, its hosts.
func (e *Engine) runUndo(L *lua.LState, batch []undo) (failed []string, err error) {
	u := batch[0]
	switch {
	case u.cmd != "":
		return e.runUndoCommands(batch)
	case u.perHost:
		err = e.runFibers(L, u.hosts, u.fn, policyParallel)
	default:
		e.running = append(e.running, &taskRun{task: e.undoTask(), hosts: u.hosts})
		err = luaval.Call(L, u.fn)
		e.running = e.running[:len(e.running)-1]
	}
	if err != nil {
		failed = batchHosts(batch)
	}
	return failed, err
}

// runUndoCommands runs a step of commands, each host's own, at once.
func (e *Engine) runUndoCommands(batch []undo) ([]string, error) {
	u := batch[0]
	hosts, cmds := u.hosts, map[string]string{}
	if len(batch) > 1 {
		hosts = nil
		for _, b := range batch {
			hosts = append(hosts, b.hosts[0])
			cmds[b.hosts[0].Name] = b.cmd
		}
	}
	var mu sync.Mutex
	done := map[string]bool{} // a host whose session never opened fails before the op
	_, err := e.fanout(hosts, func(ctx context.Context, s *backend.Session) error {
		cmd, ok := cmds[s.Host.Name]
		if !ok {
			cmd = u.cmd
		}
		_, err := s.Run(ctx, cmd, false)
		if err == nil {
			mu.Lock()
			done[s.Host.Name] = true
			mu.Unlock()
		}
		return err
	})(e.ctx)
	var failed []string
	for _, h := range hosts {
		if !done[h.Name] {
			failed = append(failed, h.Name)
		}
	}
	return failed, err
}
