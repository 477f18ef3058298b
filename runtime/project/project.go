// Package project loads a deployment: it builds the Lua state with the
// DSL, runs the bundled recipes, the Deployfile and the stage, and holds
// what they declared: variables, servers, roles, tasks and stages.
// It runs no command; runtime/engine runs what it loaded.
package project

import (
	"context"
	"io/fs"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/tasks"
	"github.com/luacap/luacap/runtime/vars"
	"github.com/luacap/luacap/stdlib"
)

// Options configure loading.
type Options struct {
	Now       time.Time         // the run's start: names the release
	DryRun    bool              // shows placeholders for this machine's name and pid
	Overrides map[string]string // -s name=value
	// Ctx is cancelled by the first Ctrl-C: it interrupts loading (an
	// endless loop in the Deployfile too).
	Ctx context.Context
	// Transports are the names server(transport = ...) accepts, in the
	// order errors list them.
	Transports []string
}

// Project is a loaded deployment. Everything here runs on the goroutine
// that owns the Lua state.
type Project struct {
	Vars  *vars.Store
	Hosts *host.Set
	Tasks *tasks.Registry

	opts      Options
	l         *lua.LState
	file      string   // the Deployfile, as given
	userFiles []string // the Deployfile and stage files loaded
	setAt     map[string]string
	stages    stages
	names     names
	recipes   bundled
}

// stages are the stage() blocks, in the order declared, and where each is.
type stages struct {
	fns   map[string]*lua.LFunction
	order []string
	at    map[string]string
}

// names is where a task name written now is: the desc() waiting for the
// next task(), the namespace() blocks loading, the namespaces of the
// bodies and hooks running.
type names struct {
	desc      string
	namespace []string
	scopes    []string
}

// bundled are the bundled recipes and which files use() loaded.
type bundled struct {
	fsys fs.FS
	used map[string]bool
}

// New returns a Project with an empty Lua state: the standard modules
// preloaded, no DSL yet (LoadPrelude gives it).
func New(opts Options) *Project {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	p := &Project{
		opts: opts, l: lua.NewState(lua.Options{IncludeGoStackTrace: false}),
		Vars: vars.NewStore(opts.Overrides), Hosts: host.NewSet(), Tasks: tasks.NewRegistry(),
		setAt:   map[string]string{},
		stages:  stages{fns: map[string]*lua.LFunction{}, at: map[string]string{}},
		recipes: bundled{used: map[string]bool{}},
	}
	stdlib.Preload(p.l)
	p.l.PreloadModule("luacap.paths", p.openPaths)
	if opts.Ctx != nil {
		p.l.SetContext(opts.Ctx)
	} else {
		p.opts.Ctx = context.Background()
	}
	return p
}

// Lua is the Lua state: only the goroutine that owns it may use it.
func (p *Project) Lua() *lua.LState { return p.l }

// Close closes the Lua state.
func (p *Project) Close() { p.l.Close() }

// File is the Deployfile, as given; "" before one is loaded.
func (p *Project) File() string { return p.file }
