package output

import "fmt"

// Summary prints each host with OK or FAILED and its time spent running
// commands, then each task with its wall time. It prints at every level.
func (o *Output) Summary() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.order) == 0 && len(o.tasks) == 0 {
		return
	}
	fmt.Fprintln(o.w, "Summary")
	for _, name := range o.order {
		st := o.hosts[name]
		status := o.paint("32", "OK    ")
		if st.failed {
			status = o.paint("31", "FAILED")
		}
		fmt.Fprintf(o.w, "  %-*s  %s  %s\n", o.width, name, status, seconds(st.busy))
	}
	width := 0
	for _, t := range o.tasks {
		width = max(width, len(t.name))
	}
	for _, t := range o.tasks {
		mark := ""
		if t.err {
			mark = "  " + o.paint("31", "failed")
		}
		fmt.Fprintf(o.w, "  %-*s  %s%s\n", width, t.name, seconds(t.dur), mark)
	}
}
