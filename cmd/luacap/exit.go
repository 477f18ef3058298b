package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/luacap/luacap/runtime/engine"
	"github.com/luacap/luacap/runtime/output"
)

// Exit codes besides those the engine's errors carry (engine.Exit*).
const (
	exitOK       = 0
	exitInternal = 70 // EX_SOFTWARE
)

// usageError is a command line that cannot be run as given.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }
func (e usageError) ExitCode() int { return engine.ExitUsage }

// exitCode is the one place errors become exit codes; it prints the error.
// Each error type says its own code; any other error is a failure.
func exitCode(w io.Writer, err error) int {
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(w, "luacap: %s\n", output.Escape(err.Error()))
	var coded interface{ ExitCode() int }
	if errors.As(err, &coded) {
		return coded.ExitCode()
	}
	return engine.ExitFailed
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
