// Package luameta writes the LuaLS ---@meta files of luacap's Lua API
// from the entries of the DSL table (runtime/engine/verbs.go), and embeds
// the committed ones in the binary.
package luameta

import (
	"embed"
	"fmt"
	"io/fs"
	"strings"
)

// MetaDir is where a project keeps the ---@meta files for its editor
// (luacap install writes them there; .luarc.json names it).
const MetaDir = ".luacap/meta"

// metaHeader opens every generated file.
const metaHeader = "-- luacap's Lua API for lua-language-server. Generated from\n" +
	"-- runtime/engine/verbs.go (go test ./runtime/engine -update); do not edit.\n"

//go:embed meta
var metaFS embed.FS

// Files returns the committed ---@meta files embedded in the binary, by
// path under MetaDir: luacap.lua (the globals), luacap/<module>.lua.
func Files() fs.FS {
	sub, _ := fs.Sub(metaFS, "meta") // "meta" is embedded: it exists
	return sub
}

// Kind says what an Entry is.
type Kind int

const (
	Global Kind = iota // a global function
	Module             // require "<name>"
	Field              // a function of a Module, "<module>.<function>"
)

// Entry is one name of the API: its LuaLS signature and one line of doc.
type Entry struct {
	Kind     Kind
	Name     string
	Sig, Doc string
}

// Generate returns the ---@meta files entries describe, by path: what
// the embedded ones must be.
func Generate(entries []Entry) (map[string]string, error) {
	files := map[string]string{}
	var g strings.Builder
	g.WriteString("---@meta luacap\n" + metaHeader)
	writeClasses(&g)
	for _, v := range entries {
		switch v.Kind {
		case Global:
			if err := writeFunction(&g, v, v.Name); err != nil {
				return nil, err
			}
		case Module:
			src, err := moduleMeta(v, entries)
			if err != nil {
				return nil, err
			}
			files[strings.ReplaceAll(v.Name, ".", "/")+".lua"] = src
		}
	}
	files["luacap.lua"] = g.String()
	return files, nil
}

func writeClasses(b *strings.Builder) {
	for _, a := range aliases {
		fmt.Fprintf(b, "\n---@alias %s %s\n", a[0], a[1])
	}
	for _, c := range classes {
		fmt.Fprintf(b, "\n---%s\n---@class %s\n", c.doc, c.name)
		for _, f := range c.fields {
			fmt.Fprintf(b, "---@field %s %s", f[0], f[1])
			if f[2] != "" {
				b.WriteString(" " + f[2])
			}
			b.WriteString("\n")
		}
	}
}

// moduleMeta is the file of module m: a local table of its fields,
// returned, so that require "m" has its type.
func moduleMeta(m Entry, entries []Entry) (string, error) {
	local := m.Name[strings.LastIndex(m.Name, ".")+1:]
	var b strings.Builder
	fmt.Fprintf(&b, "---@meta %s\n%s\n---%s\n---@class %s\nlocal %s = {}\n", m.Name, metaHeader, m.Doc, m.Name, local)
	for _, v := range entries {
		if v.Kind == Field && strings.TrimPrefix(v.Name, m.Name+".") != v.Name {
			if err := writeFunction(&b, v, local+"."+strings.TrimPrefix(v.Name, m.Name+".")); err != nil {
				return "", err
			}
		}
	}
	fmt.Fprintf(&b, "\nreturn %s\n", local)
	return b.String(), nil
}

// writeFunction writes v's doc, @param and @return lines and an empty
// function called name.
func writeFunction(b *strings.Builder, v Entry, name string) error {
	params, returns, err := parseSig(v.Sig)
	if err != nil {
		return fmt.Errorf("verbs.go: %s: %w", v.Name, err)
	}
	fmt.Fprintf(b, "\n---%s\n", v.Doc)
	var names []string
	for _, p := range params {
		opt := ""
		if p.optional {
			opt = "?"
		}
		fmt.Fprintf(b, "---@param %s%s %s\n", p.name, opt, p.typ)
		names = append(names, p.name)
	}
	for _, r := range returns {
		fmt.Fprintf(b, "---@return %s\n", r)
	}
	fmt.Fprintf(b, "function %s(%s) end\n", name, strings.Join(names, ", "))
	return nil
}
