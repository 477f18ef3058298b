package engine

import (
	"errors"
	"fmt"

	"github.com/luacap/luacap/runtime/project"
)

// The exit codes the CLI gives the errors of a run: each error type says
// its own with ExitCode, so the CLI needs no list of types.
const (
	ExitFailed      = 1                 // a task, or a cleanup after the tasks, failed
	ExitUsage       = project.ExitUsage // the command line or the Deployfile is wrong
	ExitInterrupted = 130               // a signal stopped the run
)

// LoadError is a Deployfile, stage file or recipe that cannot be loaded
// or is inconsistent; UsageError a command line that names something
// that does not exist. The CLI exits 2 for both.
type (
	LoadError  = project.LoadError
	UsageError = project.UsageError
)

// TaskError is a task that failed. The CLI exits 1.
type TaskError struct {
	Task string
	Err  error
	Outcome
}

func (e *TaskError) Error() string {
	msg := fmt.Sprintf("task %s failed: %v", e.Task, e.Err)
	if s := e.Outcome.says(e.Task); s != "" {
		msg += "\n" + s
	}
	return msg
}

func (e *TaskError) Unwrap() error { return e.Err }

// ExitCode is what the task's own error says (an interrupt in it is still
// an interrupt), else ExitFailed.
func (e *TaskError) ExitCode() int {
	var coded interface{ ExitCode() int }
	if errors.As(e.Err, &coded) {
		return coded.ExitCode()
	}
	return ExitFailed
}

// Interrupted is a run stopped by a signal (SIGINT, SIGTERM, SIGHUP):
// during a task, or while a file was loading. The CLI exits 130.
type Interrupted struct {
	Task    string
	Loading string // the file that was loading
	Outcome
}

func (e *Interrupted) ExitCode() int { return ExitInterrupted }

func (e *Interrupted) Error() string {
	msg := "interrupted"
	switch {
	case e.Loading != "":
		return msg + " while loading " + e.Loading
	case e.Task != "":
		msg += " during " + e.Task
	}
	if s := e.Outcome.says(e.Task); s != "" {
		msg += ": " + s
	}
	return msg
}

// CleanupError is a run whose tasks all completed but whose on_exit
// cleanups did not. The CLI exits 1: something is left on the hosts.
type CleanupError struct{ Outcome }

func (e *CleanupError) ExitCode() int { return ExitFailed }

func (e *CleanupError) Error() string {
	return "every task completed, but " + incompleteClause
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
	return &hostErrors{msg: msg, errs: errs}
}

// hostErrors is a step's failure on one or more hosts: its message says
// them all; errors.As reaches each.
type hostErrors struct {
	msg  string
	errs []error
}

func (e *hostErrors) Error() string   { return e.msg }
func (e *hostErrors) Unwrap() []error { return e.errs }
