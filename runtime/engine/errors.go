package engine

import (
	"errors"
	"fmt"
)

// LoadError is a Deployfile, stage file or recipe that cannot be loaded or
// is inconsistent (a hook on an unknown task). The CLI exits 2.
type LoadError struct{ Err error }

func (e *LoadError) Error() string { return e.Err.Error() }
func (e *LoadError) Unwrap() error { return e.Err }

// UsageError is a command line that names something that does not exist.
// The CLI exits 2.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// TaskError is a task that failed. The CLI exits 1.
type TaskError struct {
	Task string
	Err  error
}

func (e *TaskError) Error() string { return fmt.Sprintf("task %s failed: %v", e.Task, e.Err) }
func (e *TaskError) Unwrap() error { return e.Err }

// Interrupted is a run stopped by SIGINT or SIGTERM. The CLI exits 130.
type Interrupted struct{ Task string }

func (e *Interrupted) Error() string {
	if e.Task == "" {
		return "interrupted"
	}
	return fmt.Sprintf("interrupted during %s; the steps it had done were undone where they were in a transaction", e.Task)
}

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// joinHostErrors is the error of a step that failed on some hosts: each
// host's error in full, and the hosts that were stopped because of them.
func joinHostErrors(total int, errs []error, stopped []string) error {
	if len(errs) == 0 {
		return nil
	}
	msg := ""
	if total > 1 {
		msg = fmt.Sprintf("failed on %d of %d hosts:\n", len(errs), total)
	}
	for i, err := range errs {
		if i > 0 {
			msg += "\n"
		}
		msg += err.Error()
	}
	if len(stopped) > 0 {
		msg += fmt.Sprintf("\nstopped after the failure: %v", stopped)
	}
	return errors.New(msg)
}
