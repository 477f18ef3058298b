package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/luacap/luacap/runtime/engine"
	"github.com/luacap/luacap/runtime/output"
	"github.com/luacap/luacap/runtime/tasks"
)

// Exit codes.
const (
	exitOK          = 0
	exitTaskFailed  = 1
	exitUsage       = 2
	exitInternal    = 70 // EX_SOFTWARE
	exitInterrupted = 130
)

// usageError is a command line that cannot be run as given.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// exitCode is the one place errors become exit codes; it prints the error.
func exitCode(w io.Writer, err error) int {
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(w, "luacap: %s\n", output.Escape(err.Error()))
	var (
		load    *engine.LoadError
		usage   *engine.UsageError
		unknown *tasks.UnknownError
		intr    *engine.Interrupted
		task    *engine.TaskError
		cleanup *engine.CleanupError
		cli     usageError
	)
	switch {
	case errors.As(err, &intr):
		return exitInterrupted
	case errors.As(err, &load), errors.As(err, &usage), errors.As(err, &unknown), errors.As(err, &cli):
		return exitUsage
	case errors.As(err, &task), errors.As(err, &cleanup):
		return exitTaskFailed
	}
	return exitTaskFailed
}

// maskedError is an error as it prints, every secret masked; errors.As
// still finds what it wraps, for the exit code.
type maskedError struct {
	err  error
	text string
}

func (m maskedError) Error() string { return m.text }
func (m maskedError) Unwrap() error { return m.err }

// masked is err with the run's secrets masked, or nil.
func masked(out *output.Output, err error) error {
	if err == nil {
		return nil
	}
	return maskedError{err: err, text: out.Mask(err.Error())}
}
