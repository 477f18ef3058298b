package output

import (
	"encoding/json"
	"strings"
	"time"
)

// jsonFormatter writes one JSON object per event per line. The field
// names are documented in README ("Output") and stay stable: add
// fields, never rename them.
type jsonFormatter struct{}

// jsonEvent is every field an event may carry; empty ones are left out.
type jsonEvent struct {
	Event   Kind     `json:"event"`
	Time    string   `json:"time"`
	Task    string   `json:"task,omitempty"`
	Host    string   `json:"host,omitempty"`
	Command string   `json:"command,omitempty"`
	Stream  string   `json:"stream,omitempty"`
	Text    string   `json:"text,omitempty"`
	Level   string   `json:"level,omitempty"`
	Exit    *int     `json:"exit,omitempty"`
	Passed  *bool    `json:"passed,omitempty"`
	Seconds *float64 `json:"seconds,omitempty"`
	Queued  bool     `json:"queued,omitempty"`
	Tasks   []string `json:"tasks,omitempty"`
	Stage   string   `json:"stage,omitempty"`
	DryRun  bool     `json:"dry_run,omitempty"`
	Version string   `json:"version,omitempty"`
	*jsonSummary
}

// jsonSummary is the last event's: how the run ended and each host's
// state, as the engine's outcome tells it.
type jsonSummary struct {
	Status    string     `json:"status"`
	Failed    string     `json:"failed_task,omitempty"`
	Release   string     `json:"release,omitempty"`
	Revision  string     `json:"revision,omitempty"`
	Outcome   string     `json:"outcome,omitempty"`
	Error     string     `json:"error,omitempty"`
	Log       string     `json:"log,omitempty"`
	BytesSent int64      `json:"bytes_sent,omitempty"`
	Hosts     []jsonHost `json:"hosts"`
	TaskTimes []jsonTask `json:"task_times"`
}

type jsonHost struct {
	Name    string  `json:"name"`
	Status  string  `json:"status"` // "ok" or "failed"
	Seconds float64 `json:"seconds"`
}

type jsonTask struct {
	Name    string  `json:"name"`
	Seconds float64 `json:"seconds"`
	Failed  bool    `json:"failed,omitempty"`
}

// Render writes ev as one line of JSON.
func (j *jsonFormatter) Render(w *sink, ev Event, st *state) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // commands hold && and >: keep them readable
	if err := enc.Encode(toJSON(ev, st)); err != nil {
		return // only strings, numbers and booleans: cannot happen
	}
	w.WriteString(b.String())
}

func toJSON(ev Event, st *state) jsonEvent {
	j := jsonEvent{Event: ev.Kind, Time: ev.Time.UTC().Format(time.RFC3339Nano), Task: ev.Task, Host: ev.Host, Text: ev.Text}
	switch ev.Kind {
	case RunStarted:
		s := ev.Start
		j.Tasks, j.Stage, j.DryRun, j.Version = s.Tasks, s.Stage, s.DryRun, s.Version
	case CommandStarted:
		j.Command = ev.Cmd
	case OutputLine:
		j.Stream = "stdout"
		if ev.Stderr {
			j.Stream = "stderr"
		}
	case CommandFinished:
		j.Exit, j.Seconds, j.Queued = &ev.Exit, secs(ev.Dur), ev.Queued
		if ev.Queued {
			j.Command = ev.Cmd
		}
	case TestFinished:
		j.Passed, j.Seconds = &ev.Passed, secs(ev.Dur)
	case TaskFinished:
		j.Seconds = secs(ev.Dur)
		if ev.Exit != 0 {
			j.Exit = &ev.Exit
		}
	case Message:
		j.Level = levelName(ev.Level)
	case RunFinished:
		j.Task = ""
		j.Tasks, j.DryRun, j.Seconds = ev.Final.Tasks, ev.Final.DryRun, secs(st.elapsed())
		j.jsonSummary = summaryJSON(ev.Final, st)
	}
	return j
}

func summaryJSON(f *Final, st *state) *jsonSummary {
	s := &jsonSummary{Status: f.Status, Failed: f.Failed, Release: f.Release, Revision: f.Revision,
		Outcome: f.Outcome, Error: f.Error, Log: f.Log, BytesSent: f.BytesSent,
		Hosts: []jsonHost{}, TaskTimes: []jsonTask{}}
	if s.Status == "" {
		s.Status = "unknown"
	}
	for _, name := range st.order {
		h := st.hosts[name]
		status := "ok"
		if h.failed {
			status = "failed"
		}
		s.Hosts = append(s.Hosts, jsonHost{Name: name, Status: status, Seconds: *secs(h.busy)})
	}
	for _, t := range st.tasks {
		s.TaskTimes = append(s.TaskTimes, jsonTask{Name: t.name, Seconds: *secs(t.dur), Failed: t.err})
	}
	return s
}

// secs is a duration in seconds, to the millisecond.
func secs(d time.Duration) *float64 {
	v := float64(d.Milliseconds()) / 1000
	return &v
}

func levelName(l Level) string {
	switch l {
	case Quiet:
		return "error"
	case Verbose:
		return "debug"
	}
	return "info"
}
