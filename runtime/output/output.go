// Package output prints what a run does: tasks, commands with their host
// and duration, every output line prefixed with its host, and a summary.
// It is safe for concurrent use: backends stream lines from goroutines.
package output

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// Level is how much is printed.
type Level int

// Levels, from least to most.
const (
	Quiet   Level = iota // tasks that fail, errors, the summary
	Normal               // plus tasks, commands and their output
	Verbose              // plus debug notes (hosts chosen, skipped tasks)
)

// Options shape an Output.
type Options struct {
	Level Level
	Color bool
	Now   func() time.Time // nil: time.Now; tests pass a fixed clock
}

// Output is the one place a run prints to.
type Output struct {
	mu     sync.Mutex
	w      *sink // guarded by mu, like everything below
	opts   Options
	width  int // widest host name seen, for alignment
	hosts  map[string]*hostStat
	order  []string
	tasks  []taskStat
	status map[string]bool // task name -> already in tasks
}

type hostStat struct {
	busy   time.Duration
	failed bool
}

type taskStat struct {
	name string
	dur  time.Duration
	err  bool
}

// New returns an Output writing to w. A write to w that fails stops the
// printing, never the run.
func New(w io.Writer, opts Options) *Output {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Output{w: &sink{w: w}, opts: opts, hosts: map[string]*hostStat{}, status: map[string]bool{}}
}

// Now returns the output's clock, so durations printed and measured agree.
func (o *Output) Now() time.Time { return o.opts.Now() }

// Hosts registers host names up front so columns line up from the start.
func (o *Output) Hosts(names ...string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, n := range names {
		o.host(n)
	}
}

func (o *Output) host(name string) *hostStat {
	st, ok := o.hosts[name]
	if !ok {
		st = &hostStat{}
		o.hosts[name] = st
		o.order = append(o.order, name)
		o.width = max(o.width, len(name))
	}
	return st
}

func (o *Output) printf(level Level, format string, args ...any) {
	if o.opts.Level >= level {
		fmt.Fprintf(o.w, format, args...)
	}
}

func (o *Output) paint(code, s string) string {
	if !o.opts.Color {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (o *Output) prefix(host string) string {
	return fmt.Sprintf("  %-*s ", o.width, host)
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3fs", d.Seconds()) }
