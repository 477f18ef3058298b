package output

import (
	"fmt"
	"strings"
)

// Formatter renders events as text on w. Render is called under the
// Output's lock, one event at a time, after st has taken the event in.
// It writes only to w: the Output has already masked and escaped ev.
type Formatter interface {
	Render(w *sink, ev Event, st *state)
}

// closing is the run's last line, made of its Final: what was deployed,
// or what failed and what the engine says the hosts were left with.
func closing(f *Final, st *state) string {
	n := st.servers
	if n == 0 {
		n = len(st.order)
	}
	hosts := plural(n, "host")
	took := seconds(st.elapsed())
	switch f.Status {
	case "ok":
		if f.DryRun {
			return fmt.Sprintf("DRY RUN: nothing was run; %s on %s would have run", strings.Join(f.Tasks, " "), hosts)
		}
		if f.Release != "" && deployed(f.Tasks) {
			return fmt.Sprintf("deployed %s as %s to %s in %s", orUnknown(f.Revision), f.Release, hosts, took)
		}
		return fmt.Sprintf("%s done on %s in %s", strings.Join(f.Tasks, " "), hosts, took)
	case "":
		return ""
	}
	verb := "FAILED"
	if f.Status == "interrupted" {
		verb = "INTERRUPTED"
	}
	parts := []string{verb + ": " + f.failure(st)}
	if f.Outcome != "" {
		parts = append(parts, f.Outcome)
	}
	if f.Log != "" {
		parts = append(parts, "log: "+f.Log)
	}
	return strings.Join(parts, "; ")
}

// failure names the task that failed and the hosts it failed on.
func (f *Final) failure(st *state) string {
	what := f.Failed
	if what == "" {
		what = strings.Join(f.Tasks, " ")
	}
	if hosts := st.failedHosts(); len(hosts) > 0 {
		what += " on " + strings.Join(hosts, ", ")
	}
	return what
}

// deployed reports whether the tasks asked for are a deploy.
func deployed(tasks []string) bool {
	for _, t := range tasks {
		if t == "deploy" || t == "deploy:migrations" {
			return true
		}
	}
	return false
}

func orUnknown(s string) string {
	if s == "" {
		return "(revision unknown)"
	}
	return s
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
