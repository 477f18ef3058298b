package output

import (
	"strings"
	"time"
)

// TaskStart prints a task's name as a heading.
func (o *Output) TaskStart(name string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.printf(Normal, "%s\n", o.paint("1;34", "* "+name))
}

// TaskEnd records a task's wall time for the summary.
func (o *Output) TaskEnd(name string, d time.Duration, failed bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.status[name] {
		return
	}
	o.status[name] = true
	o.tasks = append(o.tasks, taskStat{name: name, dur: d, err: failed})
}

// CommandStart prints the command a host is about to run.
func (o *Output) CommandStart(host, cmd string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.host(host)
	// Every line of a multi-line script keeps the host's prefix.
	for i, line := range strings.Split(cmd, "\n") {
		mark := o.paint("33", "$")
		if i > 0 {
			mark = " "
		}
		o.printf(Normal, "%s%s %s\n", o.prefix(host), mark, line)
	}
}

// Line prints one line a command wrote. stderr lines are marked.
func (o *Output) Line(host string, stderr bool, text string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	mark := "|"
	if stderr {
		mark = o.paint("31", "!")
	}
	o.printf(Normal, "%s%s %s\n", o.prefix(host), mark, text)
}

// CommandEnd prints how a command ended and adds its time to the host's.
func (o *Output) CommandEnd(host string, d time.Duration, exit int) {
	o.commandEnd(host, d, exit, "")
}

// QueuedEnd is CommandEnd for a command sent without waiting, whose end
// may print after other steps: it names the command.
func (o *Output) QueuedEnd(host string, d time.Duration, exit int, cmd string) {
	o.commandEnd(host, d, exit, "  ("+abbreviate(cmd)+")")
}

func (o *Output) commandEnd(host string, d time.Duration, exit int, what string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	st := o.host(host)
	st.busy += d
	if exit == 0 {
		o.printf(Normal, "%s%s %s%s\n", o.prefix(host), o.paint("32", "ok"), seconds(d), what)
		return
	}
	o.printf(Normal, "%s%s exit %d %s%s\n", o.prefix(host), o.paint("31", "FAILED"), exit, seconds(d), what)
}

// abbreviate is a command's first line, cut to a width that fits a line.
func abbreviate(cmd string) string {
	const width = 60
	first, _, multi := strings.Cut(cmd, "\n")
	if r := []rune(first); len(r) > width {
		return string(r[:width]) + "..."
	}
	if multi {
		return first + " ..."
	}
	return first
}

// TestEnd prints a test()'s answer: yes or no, neither a failure.
func (o *Output) TestEnd(host string, d time.Duration, passed bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.host(host).busy += d
	answer := "no"
	if passed {
		answer = "yes"
	}
	o.printf(Normal, "%s%s %s\n", o.prefix(host), o.paint("36", answer), seconds(d))
}

// HostFailed marks a host failed in the summary.
func (o *Output) HostFailed(host string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.host(host).failed = true
}

// Note prints a message at the given level, prefixed with host if any.
func (o *Output) Note(level Level, host, msg string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, line := range strings.Split(strings.TrimRight(msg, "\n"), "\n") {
		if host != "" {
			o.printf(level, "%s%s\n", o.prefix(host), line)
		} else {
			o.printf(level, "%s\n", line)
		}
	}
}

// Warn prints a warning at every level.
func (o *Output) Warn(msg string) {
	o.Note(Quiet, "", o.paint("33", "warning: ")+msg)
}
