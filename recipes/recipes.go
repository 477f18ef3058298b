// Package recipes holds luacap's bundled recipes: plain Lua files,
// embedded in the binary, that a user can read (luacap --show TASK) and
// override by defining a task again.
package recipes

import "embed"

// FS holds every bundled recipe.
//
//go:embed *.lua rails/*.lua lib/*.lua
var FS embed.FS

// Core are loaded before every Deployfile, in this order. The others are
// loaded on request with use("name").
var Core = []string{"deploy.lua", "lock.lua", "check.lua", "strategy.lua", "intermediate.lua", "release.lua", "cleanup.lua", "rollback.lua", "capistrano_names.lua"}
