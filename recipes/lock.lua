-- The deploy lock: a directory made atomically with mkdir on every host,
-- holding who took it, when, from where and for which release. It is
-- released when the run ends, however it ends.
local q = require("luacap.shell").quote

local function lock_path() return deploy_to() .. "/.luacap.lock" end

-- acquire prints nothing when it takes the lock, or what the holder wrote.
local function acquire(info, wait)
  return string.format(
    "mkdir -p %s && i=0; while ! mkdir %s 2>/dev/null; do " ..
    "if [ $i -ge %d ]; then cat %s/info 2>/dev/null || echo 'someone (no info)'; exit 0; fi; " ..
    "i=$((i+1)); sleep 1; done; printf '%%s\\n' %s > %s/info",
    q(deploy_to()), q(lock_path()), wait, q(lock_path()), q(info), q(lock_path()))
end

namespace("deploy", function()
  desc("Takes the deploy lock on every host, or fails naming who holds it")
  task("lock", function()
    local info = string.format("%s@%s since %s for release %s", fetch("local_user"),
      run_locally("hostname", { dry_run = "this-machine" }), fetch("started_at"), fetch("release_name"))
    local wait = tonumber(fetch("lock_wait")) or 0
    on(release_roles(), function(host)
      local holder = capture(acquire(info, wait))
      if holder ~= "" then
        error(host.name .. ": deploy locked by " .. holder ..
          "; wait for it to finish, pass --lock-wait SECONDS, or run deploy:unlock if it is stale", 0)
      end
      on_exit("rm -rf " .. q(lock_path()))
    end)
  end)

  desc("Removes a deploy lock left behind by a deploy that died")
  task("unlock", function()
    on(release_roles(), function() execute("rm -rf " .. q(lock_path())) end)
  end)
end)
