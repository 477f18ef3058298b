-- Removing old releases.
local releases = require("luacap.recipes.releases")

namespace("deploy", function()
  desc("Removes old releases, keeping keep_releases that went live; never current, never another run's release")
  task("cleanup", { pipelined = true }, function()
    local keep = releases.keep_releases()
    -- Releases that never went live are removed: under the lock, no
    -- other run is making one. A deploy holds it already.
    invoke("deploy:lock")
    local script = releases.cleanup_script(keep, fetch("release_name"))
    on(release_roles(), function(host)
      execute(script)
      releases.forget(host) -- what it removed is known on the host only
    end)
  end)
end)
