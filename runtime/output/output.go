// Package output tells what a run does. The engine and the backends emit
// events (a task starts, a host's command ends); formatters render them:
// pretty (condensed), verbose (every command and line) and json (one
// object per event). A run has one formatter on its terminal and may keep
// a log file in the verbose rendering. Safe for concurrent use: backends
// stream lines from goroutines.
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

// Format names a formatter.
type Format string

// The formatters. The zero Format is verbose, the rendering every
// library caller had before formatters existed; the command line picks
// pretty by default.
const (
	FormatPretty  Format = "pretty"
	FormatVerbose Format = "verbose"
	FormatJSON    Format = "json"
)

// Formats lists the formats --format takes.
var Formats = []Format{FormatPretty, FormatVerbose, FormatJSON}

// Options shape an Output.
type Options struct {
	Format   Format
	Level    Level
	Color    bool
	Width    int              // the terminal's columns; 0: 120
	Progress bool             // show a long command's elapsed time in place (a TTY only)
	Now      func() time.Time // nil: time.Now; tests pass a fixed clock
}

// Output is the one place a run prints to: every event passes through
// emit, the single path where text is masked and escaped.
type Output struct {
	mu      sync.Mutex
	opts    Options
	views   []view // guarded by mu, like everything below
	state   *state
	secrets secrets       // values printed as [secret] (mask.go)
	stop    chan struct{} // closes the progress ticker
	once    sync.Once
}

// view is a formatter and the writer it renders to.
type view struct {
	f Formatter
	w *sink
}

// New returns an Output rendering opts.Format to w. A write to w that
// fails stops the printing, never the run.
func New(w io.Writer, opts Options) *Output {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Width <= 0 {
		opts.Width = 120
	}
	o := &Output{opts: opts, state: newState()}
	o.views = []view{{f: newFormatter(opts), w: &sink{w: w}}}
	if opts.Progress && opts.Format == FormatPretty {
		o.startProgress(time.Second)
	}
	return o
}

// newFormatter builds the formatter opts name.
func newFormatter(opts Options) Formatter {
	switch opts.Format {
	case FormatPretty:
		return newPretty(opts)
	case FormatJSON:
		return &jsonFormatter{}
	}
	return &verbose{level: opts.Level, color: opts.Color}
}

// AddLog renders every later event to w as well, in the verbose
// rendering at the verbose level with a timestamp on each line: the log
// file. Its writes fail as quietly as the terminal's.
func (o *Output) AddLog(w io.Writer) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.views = append(o.views, view{f: &verbose{level: Verbose, stamp: true}, w: &sink{w: w}})
}

// Close stops the progress display, if one runs. The Output stays usable.
func (o *Output) Close() {
	o.once.Do(func() {
		if o.stop != nil {
			close(o.stop)
		}
	})
}

// Now returns the output's clock, so durations printed and measured agree.
func (o *Output) Now() time.Time { return o.opts.Now() }

// Hosts registers host names up front so columns line up from the start.
func (o *Output) Hosts(names ...string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, n := range names {
		o.state.host(n)
	}
	o.state.servers = len(names)
}

// emit is the single write path: it stamps ev, masks and escapes its
// text, updates the run's state and hands it to every formatter.
// Callers hold o.mu.
func (o *Output) emit(ev Event) {
	ev.Time = o.opts.Now()
	o.clean(&ev)
	o.state.apply(ev)
	for _, v := range o.views {
		v.f.Render(v.w, ev, o.state)
	}
}

// clean masks secrets in, and escapes control characters from, every
// text field of ev, so no formatter can write one unmasked.
func (o *Output) clean(ev *Event) {
	ev.Cmd = o.mask(ev.Cmd)
	ev.Text = o.escape(o.mask(ev.Text))
	if f := ev.Final; f != nil {
		c := *f
		c.Error, c.Outcome = o.mask(c.Error), o.mask(c.Outcome)
		ev.Final = &c
	}
}

func paint(on bool, code, s string) string {
	if !on {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3fs", d.Seconds()) }
