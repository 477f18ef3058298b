package main

import (
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/luacap/luacap/runtime/luameta"
)

// metaCommand prints the LuaLS ---@meta files: `luacap meta` the globals,
// `luacap meta luacap.shell` a module's.
const metaCommand = "meta"

func isMeta(c *config) bool { return len(c.args) > 0 && c.args[0] == metaCommand }

func printMeta(c *config, w io.Writer) error {
	name := "luacap"
	switch len(c.args) {
	case 1:
	case 2:
		name = c.args[1]
	default:
		return usageError{"write it as luacap meta, or luacap meta MODULE: " + strings.Join(metaNames(), ", ")}
	}
	src, err := fs.ReadFile(luameta.Files(), strings.ReplaceAll(name, ".", "/")+".lua")
	if err != nil || strings.Contains(name, "/") {
		return usageError{fmt.Sprintf("luacap meta %s: there is no such file; the names are %s", name, strings.Join(metaNames(), ", "))}
	}
	_, err = w.Write(src)
	return err
}

// metaNames are the names luacap meta takes: luacap, luacap.shell, ...
func metaNames() []string {
	var out []string
	fs.WalkDir(luameta.Files(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, strings.ReplaceAll(strings.TrimSuffix(p, ".lua"), "/", "."))
		}
		return err
	})
	return out
}
