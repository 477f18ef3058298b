package engine

import (
	"context"
	"fmt"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/backend"
)

// unwind runs registrations last first, under a context that the
// interrupt which may have brought us here does not cancel. One that fails
// is reported as a "what" and the others still run. The commands one line
// registered for several hosts (inside on()) run on those hosts at once.
func (e *Engine) unwind(L *lua.LState, list []undo, what string) {
	if len(list) == 0 {
		return
	}
	restore := e.undoContext(L)
	defer restore()
	for _, batch := range undoBatches(list) {
		if err := e.runUndo(L, batch); err != nil {
			e.out.Warn(fmt.Sprintf("%s registered at %s failed: %v", what, batch[0].where, err))
		}
	}
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

// runUndo runs one step of undoBatches.
func (e *Engine) runUndo(L *lua.LState, batch []undo) error {
	u := batch[0]
	switch {
	case u.cmd != "":
		hosts, cmds := u.hosts, map[string]string{}
		if len(batch) > 1 {
			hosts = nil
			for _, b := range batch {
				hosts = append(hosts, b.hosts[0])
				cmds[b.hosts[0].Name] = b.cmd
			}
		}
		_, err := e.fanout(hosts, func(ctx context.Context, s *backend.Session) error {
			cmd, ok := cmds[s.Host.Name]
			if !ok {
				cmd = u.cmd
			}
			_, err := s.Run(ctx, cmd, false)
			return err
		})(e.ctx)
		return err
	case u.perHost:
		return e.runFibers(L, u.hosts, u.fn, policyParallel)
	}
	e.running = append(e.running, &taskRun{task: e.undoTask(), hosts: u.hosts})
	defer func() { e.running = e.running[:len(e.running)-1] }()
	return call(L, u.fn)
}
