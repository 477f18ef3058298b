package output

import "time"

// state is what the events so far add up to, shared by the formatters:
// hosts with their time and status, tasks with their times.
type state struct {
	start   time.Time // the first event's time
	last    time.Time // the latest event's time
	width   int       // widest host name seen, for alignment
	hosts   map[string]*hostStat
	order   []string
	tasks   []*taskStat // the tasks that ended, in that order
	byName  map[string]*taskStat
	servers int    // the hosts the run targets; the local machine is not one
	current string // the task or hook started last: commands belong to it
}

type hostStat struct {
	busy   time.Duration
	failed bool
}

type taskStat struct {
	name    string
	started time.Time
	dur     time.Duration
	err     bool
	ended   bool
}

func newState() *state {
	return &state{hosts: map[string]*hostStat{}, byName: map[string]*taskStat{}}
}

func (s *state) host(name string) *hostStat {
	st, ok := s.hosts[name]
	if !ok {
		st = &hostStat{}
		s.hosts[name] = st
		s.order = append(s.order, name)
		s.width = max(s.width, len(name))
	}
	return st
}

// apply adds ev to the state before formatters render it.
func (s *state) apply(ev Event) {
	if s.start.IsZero() {
		s.start = ev.Time
	}
	s.last = ev.Time
	if ev.Host != "" {
		s.host(ev.Host)
	}
	switch ev.Kind {
	case TaskStarted:
		if _, ok := s.byName[ev.Task]; !ok {
			t := &taskStat{name: ev.Task, started: ev.Time}
			s.byName[ev.Task] = t
		}
	case TaskFinished:
		s.taskEnd(ev)
	case CommandFinished, TestFinished:
		s.hosts[ev.Host].busy += ev.Dur
		if ev.Queued {
			s.queuedEnd(ev)
		}
	case HostFailed:
		s.host(ev.Host).failed = true
	}
}

// taskEnd records a task's wall time, once: a task runs once per run.
func (s *state) taskEnd(ev Event) {
	t, ok := s.byName[ev.Task]
	if !ok || t.ended {
		return
	}
	t.ended, t.err = true, ev.Exit != 0
	s.tasks = append(s.tasks, t) // in the order they end, as Rake's
	t.dur = max(t.dur, ev.Dur)
}

// queuedEnd extends the sender's time to the end of a command it sent
// without waiting: its real time, not the instant it took to send.
func (s *state) queuedEnd(ev Event) {
	if t, ok := s.byName[ev.Task]; ok {
		t.dur = max(t.dur, ev.Time.Sub(t.started))
		if ev.Exit != 0 {
			t.err = true
		}
	}
}

// failedHosts lists the hosts marked failed, in order.
func (s *state) failedHosts() []string {
	var out []string
	for _, n := range s.order {
		if s.hosts[n].failed {
			out = append(out, n)
		}
	}
	return out
}

// elapsed is the run's time so far: from its first event to its last.
func (s *state) elapsed() time.Duration { return s.last.Sub(s.start) }
