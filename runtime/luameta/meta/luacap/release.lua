---@meta luacap.release
-- luacap's Lua API for lua-language-server. Generated from
-- runtime/engine/verbs.go (go test ./runtime/engine -update); do not edit.

---The rules release names follow.
---@class luacap.release
local release = {}

---Returns true, or false and why name cannot be a release name.
---@param name any
---@return boolean
---@return string?
function release.valid_release_name(name) end

return release
