---@meta luacap.paths
-- luacap's Lua API for lua-language-server. Generated from
-- runtime/engine/verbs.go (go test ./runtime/engine -update); do not edit.

---Paths as the settings mean them: local ones from the Deployfile's directory, remote ones absolute.
---@class luacap.paths
local paths = {}

---Returns p resolved against the Deployfile's directory.
---@param p string?
---@return string?
function paths.local_path(p) end

---Returns p made absolute, for tools that change directory (git -C).
---@param p string?
---@return string?
function paths.absolute(p) end

---Returns p made absolute with its symbolic links resolved: one name for one directory however it was reached.
---@param p string?
---@return string?
function paths.real(p) end

---Returns value, or nil and an error naming where name was set, unless value is an absolute path.
---@param name string
---@param value any
---@return string?
---@return string?
function paths.remote_dir(name, value) end

return paths
