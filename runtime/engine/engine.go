// Package engine runs a loaded project: it invokes tasks with their hooks,
// fans commands out to hosts, and undoes transactions that fail.
// Everything here runs on the goroutine that owns the Lua state; I/O goes
// through the scheduler.
package engine

import (
	"context"
	"time"

	"github.com/luacap/luacap/runtime/backend"
	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/output"
	"github.com/luacap/luacap/runtime/project"
	"github.com/luacap/luacap/runtime/sched"
	"github.com/luacap/luacap/runtime/transport"
)

// Options configure an Engine.
type Options struct {
	Out       *output.Output
	DryRun    bool
	Filter    host.Filter       // --hosts, --roles
	MaxHosts  int               // hosts in flight at once; 0: no bound
	Overrides map[string]string // -s name=value
	Now       time.Time         // the run's start: names the release
	// Prompt reads a line from the terminal for ask(); nil when there is
	// no terminal.
	Prompt func(prompt string, echo bool) (string, error)
	// SSH opens ssh hosts; nil leaves them unreachable with a clear error.
	SSH transport.Transport
	// AbortCtx is cancelled when the user insists (a second Ctrl-C); it
	// bounds the undo of a transaction after an interrupt.
	AbortCtx context.Context
	// Ctx is cancelled by the first Ctrl-C: it interrupts loading the
	// Deployfile (an endless loop in it too). Run takes its own.
	Ctx context.Context
}

// Engine is one run of luacap: the project it loaded, and what running
// its tasks has done so far.
type Engine struct {
	opts      Options
	p         *project.Project // the Lua state, variables, servers, tasks
	out       *output.Output
	sched     *sched.Scheduler
	pool      *backend.Pool
	localHost *host.Host // run_locally's target
	ctx       context.Context

	running   taskStack
	ran       map[string]bool
	active    map[string]bool // tasks invoked and not yet done
	txs       []*txFrame
	mainCtx   *cmdContext // within/with/as at task level
	dropped   map[string]bool
	failed    string        // the innermost task that failed
	ssh       sshOptions    // read at Run
	exits     []undo        // on_exit cleanups
	jobs      localJobs     // run_locally's background commands
	sendSlots chan struct{} // background rsyncs in flight, at most --max-hosts; nil: no bound
	cleaning  int           // undo or cleanup work running (nested)
	rec       record        // what the run did, for its final error
}

// New returns an Engine with the DSL and prelude loaded.
func New(opts Options) (*Engine, error) {
	if opts.Out == nil {
		return nil, errorf("engine: Options.Out is required")
	}
	if opts.AbortCtx == nil {
		opts.AbortCtx = context.Background()
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	e := &Engine{
		opts: opts, out: opts.Out, ctx: context.Background(),
		ran: map[string]bool{}, active: map[string]bool{}, mainCtx: &cmdContext{}, dropped: map[string]bool{},
	}
	if opts.Ctx != nil {
		e.ctx = opts.Ctx
	}
	if opts.MaxHosts > 0 {
		e.sendSlots = make(chan struct{}, opts.MaxHosts)
	}
	e.p = project.New(project.Options{Now: opts.Now, DryRun: opts.DryRun, Overrides: opts.Overrides, Ctx: opts.Ctx, Transports: transportNames()})
	e.sched = sched.New(func() context.Context { return e.ctx })
	e.pool = backend.NewPool(e.dial, e.out)
	e.localHost = &host.Host{Name: "local", Hostname: "localhost", Transport: "local", Props: map[string]any{}}
	if err := e.p.LoadPrelude(e.rawTables()); err != nil {
		e.p.Close()
		return nil, err
	}
	return e, nil
}

// Close closes every connection and the Lua state.
func (e *Engine) Close() error {
	err := e.pool.Close()
	e.p.Close()
	return err
}

// dial runs off the Lua goroutine: it reads only Go values. Dry-run
// gives every host the printer, whatever its transport.
func (e *Engine) dial(ctx context.Context, h *host.Host) (backend.Backend, error) {
	if e.opts.DryRun {
		return backend.Printer{}, nil
	}
	t, err := e.transportOf(h)
	if err != nil {
		return nil, err
	}
	opts, err := e.ssh.of(h)
	if err != nil {
		return nil, err
	}
	return t.Dial(ctx, h, opts)
}
