package engine

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/luaval"
)

// tempdirName is what a local_tempdir name may hold: it goes in a path.
var tempdirName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// local_tempdir([name]) -> path makes a directory on this machine for the
// run's own files (an archive to send, a checkout to build in), and
// removes it as the run ends, however it ends, once the background
// commands that may write there have stopped. It costs no process, where
// mktemp -d and rm -rf cost two. A dry run makes none and returns
// $TMPDIR/luacap-<name>.
func (e *Engine) luaLocalTempdir(L *lua.LState) int {
	if len(e.running) == 0 { // loading: a run may never start to remove it (luacap -T)
		L.RaiseError("local_tempdir() makes a directory for a run: call it inside a task")
	}
	name := L.OptString(1, "run")
	if !tempdirName.MatchString(name) {
		L.RaiseError("local_tempdir(%q): a name is 1 to 32 letters, digits, - or _", name)
	}
	base, err := filepath.Abs(os.TempDir())
	if err != nil {
		L.RaiseError("local_tempdir: %v", err)
	}
	if e.opts.DryRun {
		L.Push(lua.LString(filepath.Join(base, "luacap-"+name)))
		return 1
	}
	dir, err := makeTempdir(base, name)
	if err != nil {
		L.RaiseError("local_tempdir: %v (is $TMPDIR writable?)", err)
	}
	remove := L.NewFunction(func(L *lua.LState) int {
		if err := os.RemoveAll(dir); err != nil {
			L.RaiseError("removing %s: %v", dir, err)
		}
		return 0
	})
	e.exits = append(e.exits, undo{where: luaval.Where(L), hosts: e.currentHosts(), fn: remove,
		hint: "the temporary directory " + dir + " may be left on this machine; remove it"})
	L.Push(lua.LString(dir))
	return 1
}

// makeTempdir makes base/luacap-<name>-<12 hex digits>, mode 0700: a
// name of one length each time, so that output cut to a width cuts the
// same way every run. base is $TMPDIR made absolute: the commands given
// the directory may run elsewhere (git -C reads a relative -o from the
// repository).
func makeTempdir(base, name string) (string, error) {
	for {
		var b [6]byte
		rand.Read(b[:])
		dir := filepath.Join(base, "luacap-"+name+"-"+hex.EncodeToString(b[:]))
		err := os.Mkdir(dir, 0o700)
		if !os.IsExist(err) {
			return dir, err
		}
	}
}
