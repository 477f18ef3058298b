---@meta luacap.shell
-- luacap's Lua API for lua-language-server. Generated from
-- runtime/engine/verbs.go (go test ./runtime/engine -update); do not edit.

---Quotes words for a POSIX shell.
---@class luacap.shell
local shell = {}

---Returns word as one shell word.
---@param word string
---@return string
function shell.quote(word) end

---Quotes each word and joins them with spaces.
---@param words string[]
---@return string
function shell.join(words) end

return shell
