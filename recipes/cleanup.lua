-- Removing old releases.
local releases = require("luacap.recipes.releases")

namespace("deploy", function()
  desc("Removes old releases, keeping keep_releases; never current, never counting failed releases")
  task("cleanup", { pipelined = true }, function()
    local script = releases.cleanup_script(tonumber(fetch("keep_releases")), fetch("release_name"))
    on(release_roles(), function() execute(script) end)
  end)
end)
