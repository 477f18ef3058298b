package main

import (
	"context"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/term"

	"github.com/luacap/luacap/runtime/engine"
	"github.com/luacap/luacap/runtime/output"
)

// outputOptions picks the formatter, level, colours and width for the
// terminal: pretty unless -v, --format or $LUACAP_FORMAT say otherwise.
func outputOptions(c *config, w io.Writer, env func(string) string) output.Options {
	tty := isTerminal(w)
	format := output.Format(c.format)
	if c.verbose && format == output.FormatPretty {
		format = output.FormatVerbose
	}
	return output.Options{
		Format:   format,
		Level:    level(c),
		Color:    colorOn(c.color, tty, env),
		Width:    width(w, env),
		Progress: tty && format == output.FormatPretty,
	}
}

// colorOn: --color=always and never win; auto paints a terminal unless
// NO_COLOR is set to anything (no-color.org).
func colorOn(when string, tty bool, env func(string) string) bool {
	switch when {
	case "always":
		return true
	case "never":
		return false
	}
	return tty && env("NO_COLOR") == ""
}

// width is the terminal's columns, or $COLUMNS, or 0 (the default).
func width(w io.Writer, env func(string) string) int {
	if f, ok := w.(*os.File); ok {
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 0 {
			return cols
		}
	}
	n, _ := strconv.Atoi(env("COLUMNS"))
	return n
}

// final is how the run ended, as the engine's outcome tells it.
func final(e *engine.Engine, c *config, names []string, err error, sent int64) output.Final {
	f := output.Final{Status: "ok", Tasks: names, DryRun: c.dryRun, BytesSent: sent}
	f.Release, _ = e.Setting("release_name")
	f.Revision, _ = e.Setting("branch")
	if err == nil {
		return f
	}
	f.Status, f.Error = "failed", firstLine(err.Error())
	var (
		intr    *engine.Interrupted
		te      *engine.TaskError
		cleanup *engine.CleanupError
	)
	switch {
	case errors.As(err, &intr):
		f.Status, f.Failed, f.Outcome = "interrupted", intr.Task, intr.Outcome.Says(intr.Task)
	case errors.As(err, &te):
		f.Failed, f.Outcome = te.Task, te.Outcome.Says(te.Task)
	case errors.As(err, &cleanup):
		f.Outcome = cleanup.Outcome.Says("")
	}
	return f
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// report frames a run of tasks in the output: the log file and its
// header (or the dry run's banner) before, the closing line after.
type report struct {
	hooks hooks
	sent  func() int64 // bytes sent over ssh so far
}

func (r *report) run(ctx context.Context, e *engine.Engine, c *config, names []string) error {
	out := e.Out()
	log, closeLog := openLog(out, logPath(e, c, c.file, r.hooks))
	defer closeLog()
	out.Start(output.Start{Tasks: names, Stage: stageOf(c, names), User: whoami(c.getenv),
		Version: version, DryRun: c.dryRun, File: c.file})
	err := e.Run(ctx, names)
	f := final(e, c, names, err, r.sent())
	f.Log = log
	out.Finish(f)
	return err
}

// stageOf is the stage the command line named, if it named one.
func stageOf(c *config, names []string) string {
	if len(c.args) > len(names) {
		return c.args[0]
	}
	return ""
}
