package engine

import (
	"errors"
	"io/fs"

	"github.com/luacap/luacap/runtime/project"
)

// What the CLI asks of the loaded project goes through the engine, which
// owns the goroutine of the Lua state: see runtime/project for each.

// LoadRecipes loads the bundled recipes named from fsys, before the
// Deployfile; fsys also serves use() and --show.
func (e *Engine) LoadRecipes(fsys fs.FS, names []string) error {
	return loadError(e.p.LoadRecipes(fsys, names))
}

// LoadFile runs a Deployfile or recipe file.
func (e *Engine) LoadFile(path string) error { return loadError(e.p.LoadFile(path)) }

// LoadString runs Lua source under the given chunk name.
func (e *Engine) LoadString(name, src string) error { return loadError(e.p.LoadString(name, src)) }

// UseStage sets "stage" and runs the stage's block and file.
func (e *Engine) UseStage(name string) error { return loadError(e.p.UseStage(name)) }

// Stages returns the stage names.
func (e *Engine) Stages() []string { return e.p.Stages() }

// TaskList returns the lines luacap -T prints.
func (e *Engine) TaskList(all bool) string { return e.p.TaskList(all) }

// Show returns a task's Lua source for luacap --show.
func (e *Engine) Show(name string) (string, error) { return e.p.Show(name) }

// Setting returns a variable's value as text, when it has one already.
func (e *Engine) Setting(name string) (string, bool) { return e.p.Setting(name) }

// loadError makes an interrupted load the run's Interrupted, which the
// CLI maps to its exit code as it does an interrupted task.
func loadError(err error) error {
	var intr *project.Interrupted
	if errors.As(err, &intr) {
		return &Interrupted{Loading: intr.File}
	}
	return err
}
