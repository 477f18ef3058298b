package main

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/luacap/luacap/runtime/engine"
	"github.com/luacap/luacap/runtime/luameta"
)

// TestMetaCommand: luacap meta prints each embedded ---@meta file by its
// module name, and refuses any other name with the list of names.
func TestMetaCommand(t *testing.T) {
	for _, name := range []string{"luacap", "luacap.shell", "luacap.release"} {
		want, err := fs.ReadFile(luameta.Files(), strings.ReplaceAll(name, ".", "/")+".lua")
		if err != nil {
			t.Fatal(err)
		}
		args := []string{"meta", name}
		if name == "luacap" {
			args = args[:1]
		}
		code, out, errOut := runCLI(t, hooks{}, args...)
		if code != exitOK || out != string(want) || !strings.HasPrefix(out, "---@meta "+name+"\n") {
			t.Errorf("%v: exit %d\n%s%s", args, code, out, errOut)
		}
	}
	for _, args := range [][]string{{"meta", "nope"}, {"meta", "luacap/shell"}, {"meta", "../../go.mod"}, {"meta", "a", "b"}} {
		code, out, errOut := runCLI(t, hooks{}, args...)
		if code != engine.ExitUsage || out != "" || !strings.Contains(errOut, "luacap.shell") {
			t.Errorf("%v: exit %d\n%s%s", args, code, out, errOut)
		}
	}
}
