package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/luacap/luacap/runtime/backend"
	"github.com/luacap/luacap/runtime/command"
	"github.com/luacap/luacap/runtime/host"
)

// probe is what one command told of a host, or why it could not.
type probe struct {
	host   *host.Host
	err    error
	fields map[string]string // user, rsync, git, tar, layout, releases, current, shared, lock
}

// probeScript reads, and never writes: the user, the first line of each
// tool's version, and the state of the layout in deployTo ("" when the
// deploy_to could not be computed). Each answer is one "key=value" line.
func probeScript(deployTo string) string {
	var b strings.Builder
	b.WriteString(`echo "user=$(id -un)"; for t in rsync git tar; do v=$("$t" --version 2>/dev/null | head -n 1); echo "$t=${v:-missing}"; done; `)
	if deployTo == "" {
		return b.String()
	}
	d := command.Quote(deployTo)
	fmt.Fprintf(&b, `d=%s; if [ ! -d "$d" ]; then echo layout=missing; exit 0; fi; echo layout=present; `, d)
	b.WriteString(`n=0; for r in "$d"/releases/*/; do [ -d "$r" ] && n=$((n+1)); done; echo "releases=$n"; `)
	b.WriteString(`echo "current=$(readlink "$d/current" 2>/dev/null || echo none)"; `)
	b.WriteString(`[ -d "$d/shared" ] && echo shared=present || echo shared=missing; l="$d/.luacap.lock"; `)
	b.WriteString(`if [ -L "$l" ]; then echo 'lock=held (a symbolic link)'; elif [ -d "$l" ]; then echo "lock=held by $(head -c 1000 "$l/info" 2>/dev/null | head -n 1)"; `)
	b.WriteString(`elif [ -e "$l" ]; then echo "lock=held by $(head -c 1000 "$l" 2>/dev/null | head -n 1)"; else echo lock=free; fi`)
	return b.String()
}

// probeHosts runs the probe on every host at once, off the Lua
// goroutine: only Go values cross, and the results keep the hosts' order.
func (e *Engine) probeHosts(ctx context.Context, hosts []*host.Host, deployTo string) []probe {
	out := make([]probe, len(hosts))
	var wg sync.WaitGroup
	for i, h := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = e.probeHost(ctx, h, probeScript(deployTo))
		}()
	}
	wg.Wait()
	return out
}

func (e *Engine) probeHost(ctx context.Context, h *host.Host, script string) probe {
	s, err := e.pool.Session(ctx, h)
	if err != nil {
		return probe{host: h, err: err}
	}
	res, err := s.Backend.Run(ctx, script, backend.RunOptions{Stdout: io.Discard, Stderr: io.Discard})
	switch {
	case err != nil:
		return probe{host: h, err: err}
	case res.Exit != 0:
		return probe{host: h, err: fmt.Errorf("the probe exited %d: %s", res.Exit, strings.TrimSpace(res.Stderr))}
	}
	fields := map[string]string{}
	for _, line := range strings.Split(res.Stdout, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			fields[k] = v
		}
	}
	return probe{host: h, fields: fields}
}

// write prints a probe: what answered, or the error.
func (p probe) write(w io.Writer) {
	if p.err != nil {
		msg := p.err.Error()
		var he *backend.HostError
		if errors.As(p.err, &he) { // the line names the host already
			msg = he.Op + ": " + he.Err.Error()
		}
		fmt.Fprintf(w, "  %s: unreachable: %s\n", p.host.Name, firstLine(msg))
		return
	}
	f := p.fields
	fmt.Fprintf(w, "  %s: reachable, as %s\n", p.host.Name, f["user"])
	for _, tool := range []string{"rsync", "git", "tar"} {
		fmt.Fprintf(w, "    %-8s %s\n", tool, f[tool])
	}
	switch f["layout"] {
	case "":
		fmt.Fprintln(w, "    layout   not read: deploy_to has no value without running a command (see Settings)")
	case "missing":
		fmt.Fprintln(w, "    layout   none yet (deploy_to does not exist)")
	default:
		fmt.Fprintf(w, "    layout   %s releases, current -> %s, shared/ %s, lock %s\n", f["releases"], f["current"], f["shared"], f["lock"])
	}
}
