package output

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// progressAfter is how long a command runs before its time is shown.
const progressAfter = 2 * time.Second

// startProgress shows, every interval, how long the commands running
// for more than progressAfter have run: on one line at the bottom,
// rewritten in place and erased before anything else prints, so the
// scroll-back holds only real lines. Close stops it.
func (o *Output) startProgress(interval time.Duration) {
	o.stop = make(chan struct{})
	ticks := time.NewTicker(interval)
	go func() {
		defer ticks.Stop()
		for {
			select {
			case <-o.stop:
				return
			case <-ticks.C:
				o.tick()
			}
		}
	}()
}

// tick redraws the progress line of every pretty view.
func (o *Output) tick() {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := o.opts.Now()
	for _, v := range o.views {
		if p, ok := v.f.(*pretty); ok {
			p.progress(v.w, now)
		}
	}
}

// progress writes the line for the commands running long, if any.
func (p *pretty) progress(w *sink, now time.Time) {
	var hosts []string
	var oldest time.Time
	for h, since := range p.running {
		if now.Sub(since) < progressAfter {
			continue
		}
		hosts = append(hosts, h)
		if oldest.IsZero() || since.Before(oldest) {
			oldest = since
		}
	}
	if len(hosts) == 0 {
		return
	}
	sort.Strings(hosts)
	line := fmt.Sprintf("      … %s running %ds", strings.Join(hosts, ", "), int(now.Sub(oldest).Seconds()))
	if r := []rune(line); len(r) > p.width-1 {
		line = string(r[:p.width-1])
	}
	p.erase(w)
	w.WriteString(line)
	p.status = true
}

// erase removes the progress line before anything else prints.
func (p *pretty) erase(w *sink) {
	if p.status {
		w.WriteString("\r\x1b[K")
		p.status = false
	}
}
