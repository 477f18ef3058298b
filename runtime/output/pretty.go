package output

import (
	"fmt"
	"strings"
	"time"
)

// pretty is the default rendering, airbrussh's: a line per task that
// runs something, each command once (cut to the terminal's width), a
// line per host with its status and time, a command's output only when
// it fails (its last lines, hosts with the same output grouped), and a
// closing line that says what the run did.
type pretty struct {
	level     Level
	color     bool
	width     int
	pending   string              // a task whose heading prints with its first line
	shownTask string              // the task whose heading is on screen
	lastCmd   string              // the command shown last under the heading
	tail      map[string][]string // per host, the last lines of its running command
	fails     []*failGroup        // failures whose output is not printed yet
	running   map[string]time.Time
	status    bool // a progress line is on screen, to be erased
}

// failGroup is the output several hosts' failures share.
type failGroup struct {
	hosts []string
	lines []string
}

// tailLines is how much of a failed command's output pretty shows; the
// log file has all of it.
const tailLines = 10

func newPretty(opts Options) *pretty {
	return &pretty{level: opts.Level, color: opts.Color, width: opts.Width,
		tail: map[string][]string{}, running: map[string]time.Time{}}
}

// Render writes ev, if pretty shows it.
func (p *pretty) Render(w *sink, ev Event, st *state) {
	p.erase(w)
	switch ev.Kind {
	case CommandFinished, TestFinished, OutputLine, HostFailed:
	default:
		p.flush(w)
	}
	switch ev.Kind {
	case RunStarted:
		if ev.Start.DryRun {
			p.line(w, p.paint("1;33", dryRunBanner))
		}
	case TaskStarted:
		p.pending, p.lastCmd = ev.Task, ""
	case CommandStarted:
		p.commandStart(w, ev, st)
	case OutputLine:
		t := append(p.tail[ev.Host], ev.Text)
		p.tail[ev.Host] = t[max(len(t)-tailLines, 0):]
	case CommandFinished, TestFinished:
		p.end(w, ev, st)
	case Message:
		p.message(w, ev, st)
	case Warning:
		p.line(w, "  "+p.paint("33", "warning: ")+strings.ReplaceAll(ev.Text, "\n", "\n  "))
	case RunFinished:
		p.finish(w, ev.Final, st)
	}
}

func (p *pretty) commandStart(w *sink, ev Event, st *state) {
	p.running[ev.Host] = ev.Time
	if p.level < Normal || ev.Cmd == p.lastCmd {
		return
	}
	p.lastCmd = ev.Cmd
	p.heading(w, st)
	p.line(w, "      "+p.paint("33", "$ ")+abbreviate(ev.Cmd, p.width-8))
}

// end is a host's line for a command: ✔ or ✘, its time; a command sent
// without waiting whose end comes under a later heading names its task.
func (p *pretty) end(w *sink, ev Event, st *state) {
	delete(p.running, ev.Host)
	lines := p.tail[ev.Host]
	delete(p.tail, ev.Host)
	from := ""
	if ev.Queued && ev.Task != p.shown() {
		from = "  (" + ev.Task + ")"
	}
	host := fmt.Sprintf("%-*s", st.width, ev.Host)
	switch {
	case ev.Kind == TestFinished && p.level >= Normal:
		mark, answer := p.paint("32", "✔"), "yes"
		if !ev.Passed {
			mark, answer = "·", "no"
		}
		p.heading(w, st)
		p.line(w, fmt.Sprintf("      %s %s %s %s", mark, host, answer, seconds(ev.Dur)))
	case ev.Kind == TestFinished:
	case ev.Exit == 0 && p.level >= Normal:
		p.heading(w, st)
		p.line(w, fmt.Sprintf("      %s %s %s%s", p.paint("32", "✔"), host, seconds(ev.Dur), from))
	case ev.Exit != 0:
		p.heading(w, st)
		p.line(w, fmt.Sprintf("      %s %s %s %s%s", p.paint("31", "✘"), host, p.paint("31", fmt.Sprintf("exit %d", ev.Exit)), seconds(ev.Dur), from))
		p.keepFailure(ev.Host, lines)
	}
}

// keepFailure adds a failed host's last lines to the group with the
// same lines: identical errors print once, naming every host.
func (p *pretty) keepFailure(host string, lines []string) {
	if len(lines) == 0 {
		return
	}
	key := strings.Join(lines, "\n")
	for _, g := range p.fails {
		if strings.Join(g.lines, "\n") == key {
			g.hosts = append(g.hosts, host)
			return
		}
	}
	p.fails = append(p.fails, &failGroup{hosts: []string{host}, lines: lines})
}

// flush prints the kept failures' output, once the step's ends are in.
func (p *pretty) flush(w *sink) {
	for _, g := range p.fails {
		p.line(w, "        "+strings.Join(g.hosts, ", ")+":")
		for _, l := range g.lines {
			p.line(w, "        "+p.paint("31", "|")+" "+l)
		}
	}
	p.fails = nil
}

func (p *pretty) message(w *sink, ev Event, st *state) {
	if p.level < ev.Level {
		return
	}
	p.heading(w, st)
	lead := "      "
	if ev.Host != "" {
		lead += fmt.Sprintf("%-*s ", st.width, ev.Host)
	}
	for _, l := range strings.Split(ev.Text, "\n") {
		p.line(w, lead+l)
	}
}

func (p *pretty) finish(w *sink, f *Final, st *state) {
	line := closing(f, st)
	switch {
	case line == "":
		return
	case f.Status == "ok" && !f.DryRun:
		line = p.paint("1;32", line)
	case f.Status == "ok":
		line = p.paint("1;33", line)
	default:
		line = p.paint("1;31", line)
	}
	p.line(w, line)
}

// heading prints the pending task's line, with the run's time so far.
func (p *pretty) heading(w *sink, st *state) {
	if p.pending == "" {
		return
	}
	d := st.last.Sub(st.start)
	stamp := fmt.Sprintf("%02d:%02d", int(d.Minutes()), int(d.Seconds())%60)
	p.line(w, p.paint("2", stamp)+" "+p.paint("1;34", p.pending))
	p.shownTask, p.pending = p.pending, ""
}

// shown is the task whose heading is on screen, or is about to be.
func (p *pretty) shown() string {
	if p.pending != "" {
		return p.pending
	}
	return p.shownTask
}

func (p *pretty) line(w *sink, s string) { w.WriteString(s + "\n") }

func (p *pretty) paint(code, s string) string { return paint(p.color, code, s) }
