package main

import (
	"context"
	"slices"

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
	case len(names) == 2 && !slices.Contains(e.Stages(), names[1]):
		return usageError{"luacap doctor: no stage " + names[1] + stagesHint(e)}
	case len(names) == 2:
		if err := e.UseStage(names[1]); err != nil {
			return err
		}
	}
	return e.Doctor(ctx, io.out)
}
