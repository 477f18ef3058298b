package engine

import "github.com/luacap/luacap/runtime/luameta"

// metaEntries are the entries of the DSL table that the ---@meta files
// document: the globals, the modules and their functions.
func metaEntries() []luameta.Entry {
	var out []luameta.Entry
	for _, v := range verbs {
		e := luameta.Entry{Name: v.Name, Sig: v.Sig, Doc: v.Doc}
		switch {
		case v.global():
			e.Kind = luameta.Global
		case v.Kind == Module:
			e.Kind = luameta.Module
		case v.Kind == Field:
			e.Kind = luameta.Field
		default:
			continue
		}
		out = append(out, e)
	}
	return out
}

// GenerateMeta returns the ---@meta files the DSL table describes.
func GenerateMeta() (map[string]string, error) { return luameta.Generate(metaEntries()) }
