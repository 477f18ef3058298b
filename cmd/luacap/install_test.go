package main

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/luacap/luacap/runtime/engine"
	"github.com/luacap/luacap/runtime/luameta"
)

// tree is every file under dir with its content.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.Type()&fs.ModeSymlink != 0 {
			target, err := os.Readlink(p)
			out[rel] = "-> " + target
			return err
		}
		b, err := os.ReadFile(p)
		out[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestInstallWritesAWorkingProject: what install writes lists the tasks
// and dry-runs a deploy of every stage, and points LuaLS at the meta.
func TestInstallWritesAWorkingProject(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	code, out, errOut := runCLI(t, hooks{}, "install")
	if code != exitOK {
		t.Fatalf("install: exit %d\n%s%s", code, out, errOut)
	}
	for name := range tree(t, dir) {
		if !strings.Contains(out, "wrote         "+name+"\n") {
			t.Errorf("install wrote %s without saying so:\n%s", name, out)
		}
	}
	code, out, errOut = runCLI(t, hooks{}, "-T")
	if code != exitOK || !strings.Contains(out, "luacap deploy:rollback") {
		t.Errorf("-T: exit %d\n%s%s", code, out, errOut)
	}
	for _, stage := range []string{"staging", "production"} {
		code, out, errOut = runCLI(t, hooks{}, stage, "deploy", "--dry-run")
		if code != exitOK || !strings.Contains(out, stage+".example.com") {
			t.Errorf("%s deploy --dry-run: exit %d\n%s%s", stage, code, out, errOut)
		}
	}
	checkEditorSetup(t, dir)
}

func checkEditorSetup(t *testing.T, dir string) {
	t.Helper()
	var rc map[string]any
	b, _ := os.ReadFile(filepath.Join(dir, ".luarc.json"))
	if err := json.Unmarshal(b, &rc); err != nil {
		t.Fatalf(".luarc.json: %v\n%s", err, b)
	}
	lib, _ := rc["workspace.library"].([]any)
	if rc["runtime.version"] != "Lua 5.1" || len(lib) != 1 || lib[0] != luameta.MetaDir {
		t.Errorf(".luarc.json:\n%s", b)
	}
	globals, _ := rc["diagnostics.globals"].([]any)
	for _, g := range engine.GlobalNames() {
		if !slices.Contains(globals, any(g)) {
			t.Errorf(".luarc.json does not name the global %s", g)
		}
	}
	want, _ := fs.ReadFile(luameta.Files(), "luacap.lua")
	got, err := os.ReadFile(filepath.Join(dir, luameta.MetaDir, "luacap.lua"))
	if err != nil || string(got) != string(want) {
		t.Errorf("%s/luacap.lua is not luacap's meta file: %v", luameta.MetaDir, err)
	}
}

// TestInstallKeepsWhatExists: a second install changes nothing, not even
// a file the user edited; a new stage adds only its own file.
func TestInstallKeepsWhatExists(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if code, out, errOut := runCLI(t, hooks{}, "install"); code != exitOK {
		t.Fatalf("install: exit %d\n%s%s", code, out, errOut)
	}
	edited := "set(\"application\", \"mine\")\n"
	os.WriteFile("Deployfile.lua", []byte(edited), 0o644)
	os.Remove(".luarc.json")
	os.Symlink("/nonexistent", ".luarc.json") // a dangling link is something there too
	before := tree(t, dir)
	code, out, errOut := runCLI(t, hooks{}, "install")
	if code != exitOK || strings.Contains(out, "wrote") || strings.Count(out, "exists, kept") != len(before) {
		t.Errorf("second install: exit %d\n%s%s", code, out, errOut)
	}
	if after := tree(t, dir); !maps(before, after) {
		t.Errorf("second install changed files: %v", after)
	}
	code, out, _ = runCLI(t, hooks{}, "install", "--stages", "staging,qa")
	after := tree(t, dir)
	if code != exitOK || !strings.Contains(out, "wrote         deploy/qa.lua\n") || strings.Count(out, "wrote") != 1 || len(after) != len(before)+1 {
		t.Errorf("install --stages staging,qa: exit %d\n%s", code, out)
	}
}

func maps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestInstallRefusesStageNames: a stage name that is not one plain word,
// or is a task, a namespace or a command, is refused before anything is
// written.
func TestInstallRefusesStageNames(t *testing.T) {
	for _, stages := range []string{
		"../evil", "a/b", `a\b`, "..", ".hidden", "-rf", "x y", "st$age", "stage;id", "é", "",
		"deploy", "deploy:check", "install", "meta", "completion", "ssh-config", "staging,staging",
		"staging,../evil",
	} {
		t.Run(stages, func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			code, out, errOut := runCLI(t, hooks{}, "install", "--stages="+stages)
			if code != engine.ExitUsage || out != "" || !strings.HasPrefix(errOut, "luacap: --stages") {
				t.Errorf("exit %d\n%s%s", code, out, errOut)
			}
			if got := tree(t, dir); len(got) != 0 {
				t.Errorf("wrote %v", got)
			}
		})
	}
	t.Chdir(t.TempDir())
	if code, out, errOut := runCLI(t, hooks{}, "install", "--stages", "qa,eu-west_2,Stage2"); code != exitOK || strings.Count(out, "wrote         deploy/") != 3 {
		t.Errorf("plain names: exit %d\n%s%s", code, out, errOut)
	}
	for _, args := range [][]string{{"install", "extra"}, {"install", "--stage", "x"}} {
		if code, _, errOut := runCLI(t, hooks{}, args...); code != engine.ExitUsage || !strings.Contains(errOut, "luacap install") {
			t.Errorf("%v: exit %d %s", args, code, errOut)
		}
	}
}
