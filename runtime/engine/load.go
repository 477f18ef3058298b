package engine

import (
	_ "embed"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/luacap/luacap/runtime/luaval"
	lua "github.com/yuin/gopher-lua"
)

//go:embed prelude.lua
var prelude string

// identity is this machine's name and luacap's process id, which the
// deploy lock records: known here, so no command asks for them. A dry
// run shows placeholders, the same on every machine.
func (e *Engine) identity() (machine, pid string) {
	if e.opts.DryRun {
		return "this-machine", "0"
	}
	machine, err := os.Hostname()
	if err != nil {
		machine = "unknown-machine"
	}
	return machine, strconv.Itoa(os.Getpid())
}

func (e *Engine) loadPrelude() error {
	raw, wraps := e.rawTables() // from the DSL table, verbs.go
	raw.RawSetString("release_name", lua.LString(e.opts.Now.UTC().Format("20060102150405")))
	raw.RawSetString("started_at", lua.LString(e.opts.Now.UTC().Format("2006-01-02 15:04:05 UTC")))
	machine, pid := e.identity()
	raw.RawSetString("local_machine", lua.LString(machine))
	raw.RawSetString("luacap_pid", lua.LString(pid))
	fn, err := e.L.Load(strings.NewReader(prelude), "luacap/prelude.lua")
	if err != nil {
		return err
	}
	return luaval.Call(e.L, fn, raw, wraps)
}

// LoadFile runs a Deployfile or recipe.
func (e *Engine) LoadFile(path string) error {
	if e.file == "" {
		e.file = path
		e.extendPackagePath()
	}
	e.userFiles = append(e.userFiles, path)
	if _, err := os.Stat(path); err != nil {
		return &LoadError{Err: errorf("%s: no such file", path)}
	}
	fn, err := e.L.LoadFile(path)
	if err != nil {
		return &LoadError{Err: luaval.LoadMessage(path, err)}
	}
	if err := e.loadFailed(path, luaval.Call(e.L, fn)); err != nil || path != e.file {
		return err
	}
	return e.checkStageNames()
}

// LoadString runs Lua source under the given chunk name (embedded recipes).
func (e *Engine) LoadString(name, src string) error {
	fn, err := e.L.Load(strings.NewReader(src), name)
	if err != nil {
		return &LoadError{Err: luaval.LoadMessage(name, err)}
	}
	return e.loadFailed(name, luaval.Call(e.L, fn))
}

// loadFailed is the error of running the file name: an interrupt, when
// the signal stopped it, or a load error.
func (e *Engine) loadFailed(name string, err error) error {
	switch {
	case err == nil:
		return nil
	case e.ctx.Err() != nil:
		return &Interrupted{Loading: name}
	}
	return &LoadError{Err: err}
}

// Stages returns the stage names: stage() blocks, then deploy/*.lua files
// beside the Deployfile, sorted, without repeats.
func (e *Engine) Stages() []string {
	names := append([]string(nil), e.stageOrder...)
	files, _ := filepath.Glob(filepath.Join(e.stageDir(), "*.lua"))
	sort.Strings(files)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".lua")
		if _, ok := e.stages[name]; !ok {
			names = append(names, name)
		}
	}
	return names
}

// Subcommands are the words cmd/luacap takes in a stage's place.
var Subcommands = []string{"completion", "doctor", "install", "ssh-config"}

// checkStageNames refuses a stage named like a task or a subcommand: the
// stage would win, and "luacap deploy" would run no task at all.
func (e *Engine) checkStageNames() error {
	for _, name := range e.Stages() {
		what := "luacap subcommand"
		if _, ok := e.tasks.Lookup(name); ok {
			what = "task"
		} else if !slices.Contains(Subcommands, name) {
			continue
		}
		return &LoadError{Err: errorf("%s: the stage %q has the name of a %s, so \"luacap %s\" could not tell them apart; rename the stage",
			e.stageSource(name), name, what, name)}
	}
	return nil
}

// stageSource is where a stage is defined: its stage() call, or its file.
func (e *Engine) stageSource(name string) string {
	if at, ok := e.stageAt[name]; ok {
		return at
	}
	return filepath.Join(e.stageDir(), name+".lua")
}

func (e *Engine) stageDir() string { return filepath.Join(filepath.Dir(e.file), "deploy") }

// UseStage sets "stage", runs the stage() block, then deploy/<stage>.lua,
// so a stage file may override what the block set.
func (e *Engine) UseStage(name string) error {
	e.vars.Set("stage", lua.LString(name))
	if fn, ok := e.stages[name]; ok {
		if err := e.loadFailed("stage "+name, luaval.Call(e.L, fn)); err != nil {
			return err
		}
	}
	path := filepath.Join(e.stageDir(), name+".lua")
	if _, err := os.Stat(path); err == nil {
		return e.LoadFile(path)
	}
	return nil
}
