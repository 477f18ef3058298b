package output

import (
	"fmt"
	"strings"
	"time"
)

// verbose renders every command in full, once per host, with every line
// of its output: the -v rendering, and the log file's (with stamp).
type verbose struct {
	level Level
	color bool
	stamp bool // the log file: a timestamp on every line, a header per run
}

// Render writes ev as zero or more lines.
func (v *verbose) Render(w *sink, ev Event, st *state) {
	for _, line := range v.lines(ev, st) {
		if v.stamp {
			line = ev.Time.UTC().Format("2006-01-02 15:04:05.000 ") + line
		}
		w.WriteString(line + "\n")
	}
}

func (v *verbose) lines(ev Event, st *state) []string {
	switch ev.Kind {
	case RunStarted:
		return v.start(ev)
	case TaskStarted:
		return v.at(Normal, v.paint("1;34", "* "+ev.Task))
	case CommandStarted:
		return v.at(Normal, v.command(ev, st)...)
	case OutputLine:
		mark := "|"
		if ev.Stderr {
			mark = v.paint("31", "!")
		}
		return v.at(Normal, prefix(st, ev.Host)+mark+" "+ev.Text)
	case CommandFinished:
		return v.at(Normal, v.end(ev, st))
	case TestFinished:
		return v.at(Normal, prefix(st, ev.Host)+v.paint("36", yesNo(ev.Passed))+" "+seconds(ev.Dur))
	case Message:
		return v.at(ev.Level, v.message(ev, st)...)
	case Warning:
		return v.message(Event{Text: v.paint("33", "warning: ") + ev.Text}, st)
	case RunFinished:
		return v.summary(ev.Final, st)
	}
	return nil
}

// at returns lines when the formatter's level shows level.
func (v *verbose) at(level Level, lines ...string) []string {
	if v.level < level {
		return nil
	}
	return lines
}

// start is the log file's header, and the dry run's banner.
func (v *verbose) start(ev Event) []string {
	s := ev.Start
	var out []string
	if v.stamp {
		what := strings.Join(append([]string{s.Stage}, s.Tasks...), " ")
		out = append(out, fmt.Sprintf("=== luacap %s: %s, run by %s with %s, %s", s.Version, strings.TrimSpace(what),
			s.User, s.File, ev.Time.UTC().Format(time.RFC3339)))
	}
	if s.DryRun {
		out = append(out, v.paint("1;33", dryRunBanner))
	}
	return out
}

// dryRunBanner opens a dry run's output, whatever its format.
const dryRunBanner = "DRY RUN: nothing is run; every command is printed for every host"

// command is every line of a command, each with the host's prefix.
func (v *verbose) command(ev Event, st *state) []string {
	var out []string
	for i, line := range strings.Split(ev.Cmd, "\n") {
		mark := v.paint("33", "$")
		if i > 0 {
			mark = " "
		}
		out = append(out, prefix(st, ev.Host)+mark+" "+line)
	}
	return out
}

// end is how a command ended; a command sent without waiting names its
// task and itself, since its end prints after later steps.
func (v *verbose) end(ev Event, st *state) string {
	what := ""
	if ev.Queued {
		what = "  (" + ev.Task + ": " + abbreviate(ev.Cmd, 60) + ")"
	}
	if ev.Exit == 0 {
		return prefix(st, ev.Host) + v.paint("32", "ok") + " " + seconds(ev.Dur) + what
	}
	return fmt.Sprintf("%s%s exit %d %s%s", prefix(st, ev.Host), v.paint("31", "FAILED"), ev.Exit, seconds(ev.Dur), what)
}

func (v *verbose) message(ev Event, st *state) []string {
	var out []string
	for _, line := range strings.Split(ev.Text, "\n") {
		if ev.Host != "" {
			line = prefix(st, ev.Host) + line
		}
		out = append(out, line)
	}
	return out
}

func (v *verbose) paint(code, s string) string { return paint(v.color, code, s) }

func prefix(st *state, host string) string { return fmt.Sprintf("  %-*s ", st.width, host) }

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// abbreviate is a command's first line, cut to width runes.
func abbreviate(cmd string, width int) string {
	first, _, multi := strings.Cut(cmd, "\n")
	if r := []rune(first); len(r) > width {
		return string(r[:max(width-3, 1)]) + "..."
	}
	if multi {
		return first + " ..."
	}
	return first
}
