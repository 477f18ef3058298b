-- Linking shared files into the release, and switching current to it.
local q = require("luacap.shell").quote
local releases = require("luacap.recipes.releases")

local function dirname(p) return p:match("^(.*)/[^/]*$") or "." end

-- link_script links every linked dir and file of the release to shared/,
-- in one command.
local function link_script(rel)
  local steps = {}
  for _, d in ipairs(fetch("linked_dirs")) do
    local shared, target = shared_path() .. "/" .. d, rel .. "/" .. d
    steps[#steps + 1] = string.format("mkdir -p %s %s && rm -rf %s && ln -s %s %s",
      q(shared), q(dirname(target)), q(target), q(shared), q(target))
  end
  for _, f in ipairs(fetch("linked_files")) do
    local shared, target = shared_path() .. "/" .. f, rel .. "/" .. f
    steps[#steps + 1] = string.format("mkdir -p %s && rm -rf %s && ln -s %s %s",
      q(dirname(target)), q(target), q(shared), q(target))
  end
  if fetch("group_writable") then steps[#steps + 1] = "chmod -R g+w " .. q(rel) end
  return table.concat(steps, " && ")
end


namespace("deploy", function()
  desc("Links linked_dirs and linked_files from shared/ into the release")
  task("finalize_update", { pipelined = true }, function()
    local script = link_script(release_path())
    if script == "" then return end
    on(release_roles(), function() execute(script) end)
  end)

  desc("Points current at the new release on every host, atomically")
  task("symlink", function()
    local script = releases.switch_current(release_path())
    on(release_roles(), function(host)
      -- The undo is registered first, from where current pointed when the
      -- lock was taken: should the command fail after the switch, the
      -- host still goes back with the others.
      local previous = releases.state_of(host).target
      on_rollback(releases.unswitch_current(release_path(), previous), { hint = "current may still point at release " ..
        fetch("release_name") .. " here while other hosts went back: run deploy:rollback with -s rollback_release=NAME" })
      capture(script)
      releases.went_live(host, fetch("release_name"))
    end)
  end)

  desc("Appends the deployed revision to revisions.log")
  task("log_revision", { pipelined = true }, function()
    local line = string.format("printf 'Branch %%s (at %%s) deployed as release %%s by %%s\\n' %s \"$(cat %s/REVISION)\" %s %s >> %s",
      q(tostring(fetch("branch"))), q(release_path()), q(fetch("release_name")), q(fetch("local_user")),
      q(deploy_to() .. "/revisions.log"))
    on(release_roles(), function() execute(line) end)
  end)
end)
alias("deploy:symlink", "deploy:create_symlink")
