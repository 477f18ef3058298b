package output

import (
	"strings"
	"time"
)

// The methods below are the events the engine and the backends emit.
// Each builds an Event and passes it to emit under the lock.

// Start announces the run: the log file's header, the dry run's banner.
func (o *Output) Start(s Start) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.emit(Event{Kind: RunStarted, Start: &s})
}

// TaskStart announces a task (or a hook function, by its label).
func (o *Output) TaskStart(name string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.state.current = name
	o.emit(Event{Kind: TaskStarted, Task: name})
}

// TaskEnd records a task's wall time for the summary.
func (o *Output) TaskEnd(name string, d time.Duration, failed bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.emit(Event{Kind: TaskFinished, Task: name, Dur: d, Exit: exitOf(failed)})
}

// CommandStart announces the command a host is about to run, or has
// just sent without waiting, for the task running now.
func (o *Output) CommandStart(host, cmd string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.emit(Event{Kind: CommandStarted, Task: o.state.current, Host: host, Cmd: cmd})
}

// Line passes on one line a command wrote.
func (o *Output) Line(host string, stderr bool, text string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.emit(Event{Kind: OutputLine, Host: host, Stderr: stderr, Text: text})
}

// CommandEnd tells how a host's command ended.
func (o *Output) CommandEnd(host string, d time.Duration, exit int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.emit(Event{Kind: CommandFinished, Task: o.state.current, Host: host, Dur: d, Exit: exit})
}

// QueuedEnd is CommandEnd for a command task sent without waiting, whose
// end comes after other steps: it names the command and its sender.
func (o *Output) QueuedEnd(host, task string, d time.Duration, exit int, cmd string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.emit(Event{Kind: CommandFinished, Task: task, Host: host, Dur: d, Exit: exit, Cmd: cmd, Queued: true})
}

// TestEnd tells a test()'s answer: yes or no, neither a failure.
func (o *Output) TestEnd(host string, d time.Duration, passed bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.emit(Event{Kind: TestFinished, Task: o.state.current, Host: host, Dur: d, Passed: passed})
}

// HostFailed marks a host failed in the summary.
func (o *Output) HostFailed(host string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.emit(Event{Kind: HostFailed, Host: host})
}

// Note passes on a message at the given level, about host if any.
func (o *Output) Note(level Level, host, msg string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.emit(Event{Kind: Message, Level: level, Task: o.state.current, Host: host, Text: strings.TrimRight(msg, "\n")})
}

// Warn passes on a warning, shown at every level.
func (o *Output) Warn(msg string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.emit(Event{Kind: Warning, Task: o.state.current, Text: strings.TrimRight(msg, "\n")})
}

// Finish tells how the run ended: the summary and the closing line.
func (o *Output) Finish(f Final) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.emit(Event{Kind: RunFinished, Final: &f})
}

// Summary is Finish with nothing known of the run's end but its events.
func (o *Output) Summary() { o.Finish(Final{}) }

func exitOf(failed bool) int {
	if failed {
		return 1
	}
	return 0
}
