-- Releases on a host: which are good, which current points at.
local q = require("luacap.shell").quote
local releases = require("luacap.recipes.releases")



namespace("deploy", function()
  desc("Removes old releases, keeping keep_releases; never current, never counting failed releases")
  task("cleanup", { pipelined = true }, function()
    local keep = tonumber(fetch("keep_releases"))
    local script = releases.listing_script()
    on(release_roles(), function()
      local good, bad, current = releases.read(capture(script))
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
