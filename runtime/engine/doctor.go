package engine

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/output"
	"github.com/luacap/luacap/runtime/project"
)

// Doctor writes to w what a run of the loaded stage would work with: the
// settings, the servers, and for each host whether it answers, as whom,
// its rsync, git and tar, and the state of deploy_to; then the settings
// nothing reads. It changes nothing anywhere. The error names every host
// that did not answer.
func (e *Engine) Doctor(ctx context.Context, w io.Writer) error {
	if err := e.doctorStage(); err != nil {
		return err
	}
	// Before the settings are listed: listing reads them all.
	unknown := e.p.UnknownSettings()
	if err := e.readSSHOptions(); err != nil {
		return err
	}
	e.p.Vars.Settle()
	e.ctx = ctx
	e.p.Lua().SetContext(ctx)
	defer e.p.Lua().RemoveContext()

	var b strings.Builder
	e.writeSettings(&b)
	hosts := e.usable(e.p.Hosts.All())
	writeServers(&b, hosts)
	probes := e.probeHosts(ctx, hosts, e.deployToForDoctor())
	fmt.Fprintln(&b, "Hosts:")
	var silent []string
	for _, p := range probes {
		p.write(&b)
		if p.err != nil {
			silent = append(silent, p.host.Name)
		}
	}
	writeUnknown(&b, unknown)
	fmt.Fprint(w, output.Escape(e.out.Mask(b.String())))
	if len(silent) > 0 {
		return &TaskError{Task: "doctor", Err: errorf("no answer from %s; see its error above", strings.Join(silent, ", "))}
	}
	return nil
}

// doctorStage: with stages declared, doctor needs one, as a run does.
func (e *Engine) doctorStage() error {
	stages := e.Stages()
	if _, found, _ := e.p.Vars.Get("stage"); found || len(stages) == 0 {
		return nil
	}
	return &UsageError{Err: errorf("pick a stage: luacap doctor STAGE; the stages are %s", strings.Join(stages, ", "))}
}

// deployToForDoctor is deploy_to when it can be computed without a
// command, else "": the layout is then not read.
func (e *Engine) deployToForDoctor() string {
	v, err := e.fetchSealed("deploy_to")
	if err != nil || v.Type() != lua.LTString {
		return ""
	}
	return v.String()
}

func writeServers(w io.Writer, hosts []*host.Host) {
	fmt.Fprintln(w, "Servers:")
	if len(hosts) == 0 {
		fmt.Fprintln(w, "  none declared")
	}
	for _, h := range hosts {
		fmt.Fprintf(w, "  %s: roles %s; transport %s", h.Name, strings.Join(h.Roles, ", "), h.Transport)
		if h.User != "" {
			fmt.Fprintf(w, "; user %s", h.User)
		}
		if h.Port != 0 {
			fmt.Fprintf(w, "; port %d", h.Port)
		}
		keys := make([]string, 0, len(h.Props))
		for k := range h.Props {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "; %s = %s", k, literal(h.Props[k]))
		}
		fmt.Fprintln(w)
	}
}

func writeUnknown(w io.Writer, unknown []project.UnknownSetting) {
	fmt.Fprintln(w, "Settings nothing reads:")
	if len(unknown) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, u := range unknown {
		fmt.Fprintf(w, "  warning: %s\n", u)
	}
}
