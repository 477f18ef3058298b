-- Releases on a host: which are good, which current points at.
local q = require("luacap.shell").quote

-- releases_script lists "ok NAME" (has REVISION) or "bad NAME" for each
-- release, then "current NAME".
function releases_script()
  return string.format("cd %s 2>/dev/null || exit 0; for d in *; do [ -d \"$d\" ] || continue; " ..
    "if [ -f \"$d/REVISION\" ]; then echo \"ok $d\"; else echo \"bad $d\"; fi; done; " ..
    "echo \"current $(basename \"$(readlink ../current)\" 2>/dev/null)\"", q(releases_path()))
end

-- read_releases parses that listing: good releases (sorted, at most up to
-- current: newer ones never went live), leftovers, and current.
function read_releases(listing)
  local ok, bad, current = {}, {}, nil
  for kind, name in listing:gmatch("(%S+) ?(%S*)") do
    if kind == "current" then current = name ~= "" and name or nil
    elseif kind == "ok" then ok[#ok + 1] = name
    elseif kind == "bad" then bad[#bad + 1] = name end
  end
  table.sort(ok)
  local good = {}
  for _, name in ipairs(ok) do
    if current ~= nil and name <= current then good[#good + 1] = name
    elseif name ~= current then bad[#bad + 1] = name end
  end
  return good, bad, current
end

namespace("deploy", function()
  desc("Removes old releases, keeping keep_releases; never current, never counting failed releases")
  task("cleanup", function()
    local keep = tonumber(fetch("keep_releases"))
    local script = releases_script()
    on(release_roles(), function()
      local good, bad, current = read_releases(capture(script))
      if current == nil then return end
      local doomed = {}
      for _, name in ipairs(bad) do
        if name ~= fetch("release_name") then doomed[#doomed + 1] = name end
      end
      for i = 1, #good - keep do doomed[#doomed + 1] = good[i] end
      if #doomed == 0 then return end
      local paths = {}
      for _, name in ipairs(doomed) do paths[#paths + 1] = q(releases_path() .. "/" .. name) end
      execute("rm -rf " .. table.concat(paths, " "))
    end)
  end)
end)
