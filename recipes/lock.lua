-- The deploy lock: the file deploy_to/.luacap.lock on every host, holding
-- who took it (user, machine, pid, task, since when, for which release);
-- its scripts are in lib/deploy_lock.lua. Only the run that holds a lock
-- removes it, when it ends, however it ends. Taking the lock also reads
-- the host's releases, for the release name and the rollback target.
local releases = require("luacap.recipes.releases")
local scripts = require("luacap.recipes.deploy_lock")

-- DRY_RUN_LOCK stands for a taken lock in a dry run.
local DRY_RUN_LOCK = "locked\n" .. releases.DRY_RUN_STATE

-- record is what the lock holds: who, from where, what and since when.
local function record()
  return scripts.one_line(string.format("%s@%s (pid %s) since %s, running %s for release %s", fetch("local_user"), fetch("local_machine"),
    fetch("luacap_pid"), fetch("started_at"), fetch("run_tasks", "deploy"), fetch("release_name")))
end

local function unlock_hint()
  local stage = fetch("stage", "")
  return "the deploy lock is left on this host; once no deploy runs, remove it: luacap " ..
    (stage ~= "" and stage .. " " or "") .. "deploy:unlock"
end

-- try takes the lock on every host at once. It returns the holders of
-- the hosts it could not lock (name -> record) and the hosts it locked.
local function try(hosts, rec, released)
  local held, got = {}, {}
  on(hosts, function(host)
    local out = capture(scripts.try_script(rec), { dry_run = DRY_RUN_LOCK })
    if out:sub(1, 6) == "locked" then
      got[#got + 1] = host
      releases.remember(host, out:sub(8))
      if not released[host.name] then
        released[host.name] = true
        on_exit(scripts.release_script(rec), { hint = unlock_hint() })
      end
    else
      local holder = out:match("^held (.*)$") or ""
      held[host.name] = holder:match("%S") and holder or "someone (the lock holds no record)"
    end
  end)
  return held, got
end

local function held_error(held, wait)
  local lines = {}
  for name, holder in pairs(held) do lines[#lines + 1] = name .. ": deploy locked by " .. holder end
  table.sort(lines)
  local waited = wait > 0 and string.format(" (waited %d s)", wait) or ""
  return table.concat(lines, "\n") .. waited .. "; wait for it to finish, pass --lock-wait SECONDS, or run deploy:unlock if it is stale"
end

namespace("deploy", function()
  desc("Takes the deploy lock on every host, or fails naming who holds it")
  task("lock", function()
    local rec, wait = record(), releases.whole("lock_wait", 0)
    local hosts, released = release_roles(), {}
    local deadline = os.time() + wait
    math.randomseed(os.time() + #rec)
    while true do
      local held, got = try(hosts, rec, released)
      if next(held) == nil then
        releases.lock_record = rec
        return
      end
      -- Give back what we took, so two waiting deploys never hold half
      -- the hosts each; try again after a random pause.
      if #got > 0 then on(got, function() execute(scripts.release_script(rec)) end) end
      if os.time() >= deadline then error(held_error(held, wait), 0) end
      run_locally(string.format("sleep %.2f", 0.2 + math.random() * 0.8))
    end
  end)

  desc("Removes a deploy lock left behind by a deploy that died, saying whose it was")
  task("unlock", function()
    local script = scripts.unlock_script()
    on(release_roles(), function(host)
      local holder = capture(script, { dry_run = "none" })
      if holder == "none" then
        info("no lock here")
      else
        info("removed the lock of " .. (holder ~= "" and holder or "someone (it held no record)"))
      end
    end)
  end)
end)
