package project

import (
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/luaval"
)

// Stages returns the stage names: stage() blocks, then deploy/*.lua files
// beside the Deployfile, sorted, without repeats.
func (p *Project) Stages() []string {
	names := append([]string(nil), p.stages.order...)
	files, _ := filepath.Glob(filepath.Join(p.stageDir(), "*.lua"))
	sort.Strings(files)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".lua")
		if _, ok := p.stages.fns[name]; !ok {
			names = append(names, name)
		}
	}
	return names
}

// Subcommands are the words cmd/luacap takes in a stage's place.
var Subcommands = []string{"completion", "doctor", "install", "ssh-config"}

// checkStageNames refuses a stage named like a task or a subcommand: the
// stage would win, and "luacap deploy" would run no task at all.
func (p *Project) checkStageNames() error {
	for _, name := range p.Stages() {
		what := "luacap subcommand"
		if _, ok := p.Tasks.Lookup(name); ok {
			what = "task"
		} else if !slices.Contains(Subcommands, name) {
			continue
		}
		return &LoadError{Err: errorf("%s: the stage %q has the name of a %s, so \"luacap %s\" could not tell them apart; rename the stage",
			p.stageSource(name), name, what, name)}
	}
	return nil
}

// stageSource is where a stage is defined: its stage() call, or its file.
func (p *Project) stageSource(name string) string {
	if at, ok := p.stages.at[name]; ok {
		return at
	}
	return filepath.Join(p.stageDir(), name+".lua")
}

func (p *Project) stageDir() string { return filepath.Join(filepath.Dir(p.file), "deploy") }

// UseStage sets "stage", runs the stage() block, then deploy/<stage>.lua,
// so a stage file may override what the block set.
func (p *Project) UseStage(name string) error {
	p.Vars.Set("stage", lua.LString(name))
	if fn, ok := p.stages.fns[name]; ok {
		if err := p.loadFailed("stage "+name, luaval.Call(p.l, fn)); err != nil {
			return err
		}
	}
	path := filepath.Join(p.stageDir(), name+".lua")
	if _, err := os.Stat(path); err == nil {
		return p.LoadFile(path)
	}
	return nil
}

// Stage is stage(name, fn): it declares a stage; fn runs when the
// stage is chosen.
func (p *Project) Stage(L *lua.LState) int {
	name, fn := L.CheckString(1), L.CheckFunction(2)
	if _, ok := p.stages.fns[name]; !ok {
		p.stages.order = append(p.stages.order, name)
	}
	p.stages.fns[name] = fn
	p.stages.at[name] = luaval.Where(L)
	return 0
}
