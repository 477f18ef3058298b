package project

import (
	_ "embed"
	"os"
	"strings"

	"github.com/luacap/luacap/runtime/luaval"
)

// LoadFile runs a Deployfile or recipe.
func (p *Project) LoadFile(path string) error {
	if p.file == "" {
		p.file = path
		p.extendPackagePath()
	}
	p.userFiles = append(p.userFiles, path)
	if _, err := os.Stat(path); err != nil {
		return &LoadError{Err: errorf("%s: no such file", path)}
	}
	fn, err := p.l.LoadFile(path)
	if err != nil {
		return &LoadError{Err: luaval.LoadMessage(path, err)}
	}
	if err := p.loadFailed(path, luaval.Call(p.l, fn)); err != nil || path != p.file {
		return err
	}
	return p.checkStageNames()
}

// LoadString runs Lua source under the given chunk name (embedded recipes).
func (p *Project) LoadString(name, src string) error {
	fn, err := p.l.Load(strings.NewReader(src), name)
	if err != nil {
		return &LoadError{Err: luaval.LoadMessage(name, err)}
	}
	return p.loadFailed(name, luaval.Call(p.l, fn))
}

// loadFailed is the error of running the file name: an interrupt, when
// the signal stopped it, or a load error.
func (p *Project) loadFailed(name string, err error) error {
	switch {
	case err == nil:
		return nil
	case p.opts.Ctx.Err() != nil:
		return &Interrupted{File: name}
	}
	return &LoadError{Err: err}
}
