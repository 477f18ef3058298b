package project

import "fmt"

// ExitUsage is the exit code of a Deployfile or a command line that is
// wrong.
const ExitUsage = 2

// LoadError is a Deployfile, stage file or recipe that cannot be loaded or
// is inconsistent (a hook on an unknown task). The CLI exits 2.
type LoadError struct{ Err error }

func (e *LoadError) Error() string { return e.Err.Error() }
func (e *LoadError) Unwrap() error { return e.Err }
func (e *LoadError) ExitCode() int { return ExitUsage }

// UsageError is a command line that names something that does not exist.
// The CLI exits 2.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }
func (e *UsageError) ExitCode() int { return ExitUsage }

// Interrupted is a file whose loading a signal stopped; the engine
// reports it as its own Interrupted, with the run's exit code.
type Interrupted struct{ File string }

func (e *Interrupted) Error() string { return "interrupted while loading " + e.File }

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
