package sched

import lua "github.com/yuin/gopher-lua"

// A verb's failure reaches Lua as a message, which the prelude raises at
// the user's line: the Go error behind it (which host it names, which
// task sent the command) is kept here, beside the fiber or the task level
// that raised it, until a pcall catches it. An error that ends a fiber or
// a task while one is kept is that failure, never a text to search.

// NoteFailure keeps err as what L is about to raise.
func (s *Scheduler) NoteFailure(L *lua.LState, err error) {
	if f := s.FiberOf(L); f != nil {
		f.failure = err
		return
	}
	s.failure = err
}

// Caught forgets what L raised: a pcall caught it.
func (s *Scheduler) Caught(L *lua.LState) { s.NoteFailure(L, nil) }

// Uncaught returns the failure raised at task level and not caught, or
// nil: the one behind the error a task ends with, when it has one.
func (s *Scheduler) Uncaught() error { return s.failure }

// ForgetFailure clears the task level's failure as a task starts, so that
// an error of its own is not taken for an earlier task's.
func (s *Scheduler) ForgetFailure() { s.failure = nil }
