package output

import "time"

// Kind names an event; the names are the "event" field of the JSON
// format, documented in README, and stay stable.
type Kind string

// The events a run emits, in the order a run meets them.
const (
	RunStarted      Kind = "run_start"
	TaskStarted     Kind = "task_start"
	TaskFinished    Kind = "task_end"
	CommandStarted  Kind = "command_start"
	OutputLine      Kind = "output"
	CommandFinished Kind = "command_end"
	TestFinished    Kind = "test_end"
	Message         Kind = "message"
	Warning         Kind = "warning"
	HostFailed      Kind = "host_failed"
	RunFinished     Kind = "summary"
)

// Event is one thing that happened. Formatters render events; only the
// fields its Kind uses are set.
type Event struct {
	Kind   Kind
	Time   time.Time
	Level  Level  // Message: the least level that shows it
	Task   string // the task it belongs to: for a pipelined command, the one that sent it
	Host   string
	Cmd    string
	Text   string // an output line, a message, a warning
	Stderr bool
	Exit   int
	Dur    time.Duration
	Queued bool // a command sent without waiting, whose end comes later
	Passed bool // TestFinished: the test's answer
	Start  *Start
	Final  *Final
}

// Start is what a run is about to do: the log file's header, the dry
// run's banner.
type Start struct {
	Tasks   []string
	Stage   string
	User    string
	Version string
	DryRun  bool
	File    string // the Deployfile
}

// Final is how a run ended, as the engine's outcome tells it: the
// closing line and the JSON summary are made of it, never of guesses.
type Final struct {
	Status    string // "ok", "failed" or "interrupted"
	Tasks     []string
	Failed    string // the task that failed
	Release   string
	Revision  string
	Outcome   string // what the engine says stays and was undone
	Error     string // the run's final error, first line
	Log       string // the log file, if one is kept
	DryRun    bool
	BytesSent int64
}
