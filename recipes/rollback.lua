-- deploy:rollback: back to the previous good release on every host.
local q = require("luacap.shell").quote
local releases = require("luacap.recipes.releases")

-- rolled_back[host] is the release each host left, for the cleanup step.
local rolled_back = {}

-- In a dry run, the switch stands in for going back from release 2 to 1.
local DRY_RUN_STEP = "from <release-2> to <release-1>"

namespace("deploy", function()
  desc("Points current at the previous release on every host, restarts, and removes the bad release")
  task("rollback", { "deploy:lock", "deploy:rollback:revision", "deploy:restart", "deploy:rollback:cleanup" })

  desc("Points current at the previous good release on every host, or on none")
  task("rollback:revision", { transaction = true }, function()
    -- One command finds the previous good release and switches to it.
    local script = releases.step_back_script()
    on(release_roles(), function(host)
      local step = capture(script, { dry_run = DRY_RUN_STEP })
      local current, previous = step:match("^from (%S+) to (%S+)$")
      if previous == nil then
        error(host.name .. ": no release before " .. (step:match("^none (%S+)") or "current") .. " to roll back to", 0)
      end
      on_rollback(releases.switch_current(releases_path() .. "/" .. current))
      rolled_back[host.name] = { from = current, to = previous }
    end)
  end)

  desc("Removes the release rolled back from, and logs the rollback")
  task("rollback:cleanup", { pipelined = true }, function()
    local log = q(deploy_to() .. "/revisions.log")
    on(release_roles(), function(host)
      local r = rolled_back[host.name]
      if r == nil then return end
      execute(string.format("rm -rf %s && printf '%%s rolled back to release %%s\\n' %s %s >> %s",
        q(releases_path() .. "/" .. r.from), q(fetch("local_user")), q(r.to), log))
    end)
  end)
end)
