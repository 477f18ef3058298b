package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/luacap/luacap/runtime/engine"
)

// doctorCommand is the word that runs luacap doctor.
const doctorCommand = "doctor"

// isDoctor is "luacap doctor [STAGE]", or "luacap STAGE doctor" once
// load has taken the stage.
func isDoctor(names []string) bool { return len(names) > 0 && names[0] == doctorCommand }

// doctor loads the stage named after the word, if any, and prints the
// engine's report; the engine does the work.
func doctor(ctx context.Context, e *engine.Engine, names []string, io stdio) error {
	switch {
	case len(names) > 2:
		return usageError{"usage: luacap doctor [STAGE]"}
	case len(names) == 2 && len(e.Stages()) == 0:
		return usageError{fmt.Sprintf("luacap doctor: the Deployfile has no stages, so no stage %q; run luacap doctor", names[1])}
	case len(names) == 2 && !slices.Contains(e.Stages(), names[1]):
		return usageError{fmt.Sprintf("luacap doctor: there is no stage %q; the stages are %s", names[1], strings.Join(e.Stages(), ", "))}
	case len(names) == 2:
		if err := e.UseStage(names[1]); err != nil {
			return err
		}
	}
	return e.Doctor(ctx, io.out)
}
