package output

import "fmt"

// summary is the verbose ending: each host with OK or FAILED and its
// time spent running commands, each task with its wall time (a pipelined
// task's until its last command ended), then the closing line.
func (v *verbose) summary(f *Final, st *state) []string {
	var out []string
	if f.DryRun { // nothing ran: no times to show
		return []string{v.paint("1;33", closing(f, st))}
	}
	if len(st.order) > 0 || len(st.tasks) > 0 {
		out = append(out, "Summary")
	}
	for _, name := range st.order {
		h := st.hosts[name]
		status := v.paint("32", "OK    ")
		if h.failed {
			status = v.paint("31", "FAILED")
		}
		out = append(out, fmt.Sprintf("  %-*s  %s  %s", st.width, name, status, seconds(h.busy)))
	}
	width := 0
	for _, t := range st.tasks {
		width = max(width, len(t.name))
	}
	for _, t := range st.tasks {
		mark := ""
		if t.err {
			mark = "  " + v.paint("31", "failed")
		}
		out = append(out, fmt.Sprintf("  %-*s  %s%s", width, t.name, seconds(t.dur), mark))
	}
	if f.BytesSent > 0 {
		out = append(out, fmt.Sprintf("  sent over ssh: %d bytes", f.BytesSent))
	}
	if line := closing(f, st); line != "" {
		out = append(out, line)
	}
	return out
}
