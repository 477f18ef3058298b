-- deploy:rollback: every host back to one release: the one before
-- current that went live on all of them, or rollback_release.
local releases = require("luacap.recipes.releases")
local names = require("luacap.recipes.release_names")

-- rolled_back[host] is the release each host left, for the cleanup step.
local rolled_back = {}

local function rollback_command(name)
  local stage = fetch("stage", "")
  return "luacap " .. (stage ~= "" and stage .. " " or "") .. "deploy:rollback -s rollback_release=" .. name
end

-- the release the user named (-s rollback_release=, or ROLLBACK_RELEASE
-- as in Capistrano), checked on every host.
local function named_target(hosts, wanted)
  if not names.valid(wanted) then
    error(string.format("rollback_release %q is not a release name", wanted), 0)
  end
  local missing, never, there = {}, {}, 0
  for _, h in ipairs(hosts) do
    local st = releases.state[h.name]
    local r = st.releases[wanted]
    if r == nil then missing[#missing + 1] = h.name elseif not r.live then never[#never + 1] = h.name end
    if st.current == wanted then there = there + 1 end
  end
  if #missing > 0 then
    error(string.format("release %s is not on %s; nothing was changed", wanted, table.concat(missing, ", ")), 0)
  end
  if #never > 0 then
    error(string.format("release %s never went live on %s (a deploy cut short, or rolled back from): it is no " ..
      "rollback target; nothing was changed", wanted, table.concat(never, ", ")), 0)
  end
  if there == #hosts then error(string.format("every host is on release %s already; nothing was changed", wanted), 0) end
  return wanted
end

-- common_current is the release every host is on, or an error that names
-- what each host is on and the command that puts them back together.
local function common_current(hosts)
  local on_release, order = {}, {}
  for _, h in ipairs(hosts) do
    local cur = releases.state[h.name].current
    if on_release[cur] == nil then on_release[cur], order[#order + 1] = {}, cur end
    table.insert(on_release[cur], h.name)
  end
  if #order == 1 then return order[1] end
  local parts = {}
  for _, cur in ipairs(order) do
    parts[#parts + 1] = table.concat(on_release[cur], ", ") .. (cur == "" and " have no current" or " on " .. cur)
  end
  error("the hosts are not on one release: " .. table.concat(parts, "; ") ..
    ". Nothing was changed. Pick the release every host should serve and run: " .. rollback_command("NAME"), 0)
end

-- previous_live is the newest release before cur that went live on every host.
local function previous_live(hosts, cur)
  local first = releases.state[hosts[1].name]
  for i = #first.names, 1, -1 do
    local name, everywhere = first.names[i], true
    for _, h in ipairs(hosts) do
      local r = releases.state[h.name].releases[name]
      everywhere = everywhere and r ~= nil and r.live
    end
    if name < cur and everywhere then return name end
  end
  error(string.format("no release before %s went live on every host; nothing to roll back to", cur), 0)
end

-- switch_back undoes a host's step back: current where it pointed, and
-- the release it left no longer marked as rolled back.
local function switch_back(host, from, to)
  local was = releases.state[host.name].target
  local back = was ~= "" and releases.switch_back(was) or "true"
  if from == "" or from == to then return back end
  return back .. " && " .. releases.unmark_rolled_back(from)
end

local function target(hosts)
  local wanted = fetch("rollback_release", os.getenv("ROLLBACK_RELEASE"))
  if wanted ~= nil and wanted ~= "" then return named_target(hosts, tostring(wanted)) end
  local cur = common_current(hosts)
  if cur == "" then error("no host has a current release; nothing to roll back", 0) end
  return previous_live(hosts, cur)
end

namespace("deploy", function()
  -- Capistrano 3's rollback milestones, so its hooks port as they are,
  -- but for three: deploy:starting runs deploy:check, and a rollback must
  -- not need the git server or the linked files; current is switched in
  -- deploy:reverting, not deploy:publishing; and hooks on
  -- deploy:published expect release_path() to be a new release, which a
  -- rollback does not make.
  desc("Points current at the previous release on every host, restarts, and removes the bad release")
  task("rollback", { "deploy:started", "deploy:reverting", "deploy:reverted", "deploy:restart",
    "deploy:finishing_rollback", "deploy:finished" })

  desc("Milestone: current is being switched back to an earlier release")
  task("reverting", { "deploy:lock", "deploy:rollback:revision" })
  desc("Milestone: current points at the release rolled back to, on every host")
  task("reverted")
  desc("Milestone: the rollback is finishing; removes the release rolled back from")
  task("finishing_rollback", { "deploy:rollback:cleanup" })

  desc("Points current at the previous release that went live on every host, or on none")
  task("rollback:revision", { transaction = true }, function()
    local hosts = release_roles()
    on(hosts, function(host) releases.state_of(host, releases.DRY_RUN_STATE) end)
    local to = target(hosts)
    on(hosts, function(host)
      local from = releases.state[host.name].current
      -- The undo is registered first: should the command fail after the
      -- switch (a full disk), the host still goes back with the others.
      on_rollback(switch_back(host, from, to), { hint = "current may still point at release " .. to ..
        " here while other hosts went back: run " .. rollback_command("NAME") })
      local previous = capture(releases.step_back(releases_path() .. "/" .. to, from), { dry_run = releases.DRY_RUN_PREVIOUS })
      rolled_back[host.name] = { from = previous:match("([^/]*)$"), to = to }
      releases.went_live(host, to)
    end)
  end)

  desc("Removes the release rolled back from, and logs the rollback")
  task("rollback:cleanup", { pipelined = true }, function()
    on(release_roles(), function(host)
      local r = rolled_back[host.name]
      if r == nil then return end
      execute(releases.log_line("%s rolled back to release %s", fetch("local_user"), r.to))
      if names.valid(r.from) and r.from ~= r.to then execute(releases.remove_unless_current(r.from)) end
    end)
  end)
end)
