package engine

import (
	"errors"
	"fmt"
	"testing"

	"github.com/luacap/luacap/runtime/tasks"
)

// Every error type a run returns carries its exit code, also when wrapped,
// and a task's error that is an interrupt keeps the interrupt's code.
func TestErrorsCarryTheirExitCode(t *testing.T) {
	plain := errors.New("boom")
	tests := []struct {
		err  error
		want int
	}{
		{&LoadError{Err: plain}, ExitUsage},
		{&UsageError{Err: plain}, ExitUsage},
		{&tasks.UnknownError{Name: "x"}, ExitUsage},
		{&TaskError{Task: "x", Err: plain}, ExitFailed},
		{&TaskError{Task: "x", Err: &Interrupted{Task: "x"}}, ExitInterrupted},
		{&Interrupted{Task: "x"}, ExitInterrupted},
		{&CleanupError{}, ExitFailed},
		{fmt.Errorf("wrapped: %w", &Interrupted{}), ExitInterrupted},
		{fmt.Errorf("wrapped: %w", &LoadError{Err: plain}), ExitUsage},
	}
	for _, tt := range tests {
		var coded interface{ ExitCode() int }
		if !errors.As(tt.err, &coded) {
			t.Errorf("%T (%v) carries no exit code", tt.err, tt.err)
			continue
		}
		if got := coded.ExitCode(); got != tt.want {
			t.Errorf("%v: exit code %d, want %d", tt.err, got, tt.want)
		}
	}
}
