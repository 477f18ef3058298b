-- use("rails/assets_local"): builds the assets once, on this machine, in
-- a clean checkout of the revision being deployed (never your working
-- tree), and rsyncs them to every assets host at once. The digest and the
-- checkout are made as the deploy starts; the build command runs in the
-- background once the lock is held, while the servers unpack the code,
-- and is waited for before the send. When nothing under
-- assets_dependencies changed since the release in current, the previous
-- release's assets are reused and the build command does not run.
--
-- With assets_shared = true each release keeps its own set (SNAPSHOT):
-- rsync writes the new set there, hard-linking from the current release's
-- set every file that did not change, so nothing the live release serves
-- is touched before the switch. The command that switches current then
-- serves, in shared/, the new set together with the set of the release it
-- left (workers not yet restarted and pages already in browsers still ask
-- for those); a rollback switches the same way, and an undone deploy
-- serves the set of the release in current again.
use("rails/assets")
local q = require("luacap.shell").quote
local releases = require("luacap.recipes.releases")
local sets = require("luacap.recipes.asset_sets")
local SNAPSHOT = sets.SNAPSHOT

-- sending is the build whose set start_send is sending, until the
-- precompile step has waited for it and moved it in: when that step never
-- ran (cleared and defined anew, as the README allows), the switch stops
-- the sends and removes what they wrote (finish_sends), instead of a set
-- left beside the releases by every deploy.
local sending

-- finish_sends stops the sends nobody waited for and returns what to add
-- to the switch's command to remove their incoming place; "" when there
-- are none (the precompile step moved the set in).
local function finish_sends()
  local b = sending
  if b == nil then return "" end
  sending = nil
  for _, job in pairs(b.sends) do job:stop() end
  local inc = q(sets.incoming())
  return string.format(" && { { [ ! -e %s ] && [ ! -L %s ]; } || rm -rf -- %s || true; }", inc, inc, inc)
end

-- assets_hosts are the hosts of assets_roles.
local function assets_hosts() return roles(unpack(fetch("assets_roles"))) end

set_if_empty("local_repo", ".")
-- the names of the manifests in assets_dir (shell patterns), as
-- capistrano-rails's: with assets_shared, only current's are served
set_if_empty("assets_manifests", { ".sprockets-manifest*", "manifest*.*", ".manifest.json" })
set_if_empty("assets_dependencies", { "app/assets", "app/javascript", "lib/assets", "vendor/assets",
  "Gemfile.lock", "package.json", "yarn.lock", "config/initializers/assets.rb" })

-- The digest of each host's current release is read by the command that
-- takes the lock and reads the host's releases: no round trip of its own.
-- releases.assets_digest[host name] is what it read.
if releases.assets_digest == nil then
  releases.assets_digest = {}
  releases.assets_from = {}
  local state_script, remember, switch_current = releases.state_script, releases.remember, releases.switch_current
  local switch_back = releases.switch_back
  function releases.state_script()
    local script = state_script() .. string.format("; %s; printf 'assets-digest %%s\\n' \"$digest\"; " ..
      "[ ! -d %s ] || echo assets-kept", releases.read_line("digest", current_path() .. "/ASSETS_DIGEST"),
      q(current_path() .. "/" .. SNAPSHOT))
    if not fetch("assets_shared") then return script end
    return script .. "; " .. sets.repair_script() .. "; " .. sets.remove_incoming_script()
  end
  function releases.remember(host, text)
    releases.assets_digest[host.name] = text:match("assets%-digest ([^\n]*)") or ""
    releases.assets_from[host.name] = text:match("\nassets%-kept") ~= nil
    return remember(host, text)
  end
  -- With assets_shared, the switch serves the new release's set in the
  -- same command: current and its assets change together.
  function releases.switch_current(target)
    local script = switch_current(target)
    if not fetch("assets_shared") then return script end
    return script .. " && { " .. sets.serve_script(target) .. "; } >&2" .. finish_sends()
  end
  -- An undone rollback switches back the same way: the code in current
  -- goes back with its own set (and its manifest).
  function releases.switch_back(target)
    local script = switch_back(target)
    if not fetch("assets_shared") then return script end
    return script .. " && { " .. sets.serve_script(target) .. "; } >&2"
  end
end

-- assets_target is where the new release's set is written: its snapshot
-- with assets_shared, else its own assets_dir.
local function assets_target()
  if fetch("assets_shared") then return release_path() .. "/" .. SNAPSHOT end
  return release_path() .. "/" .. fetch("assets_dir")
end

-- link_dest is the current release's set on host, for rsync to hard-link
-- what did not change from, or nil when there is none to link from.
local function link_dest(host)
  local st = releases.state[host.name]
  local target = st and st.target or ""
  if target:sub(1, 1) ~= "/" then return nil end
  if fetch("assets_shared") then
    return releases.assets_from[host.name] and target .. "/" .. SNAPSHOT or nil
  end
  return target .. "/" .. fetch("assets_dir")
end

-- digest_command prints the commit the deploy started with (the branch,
-- read once: releases.local_commit) and its digest: the asset sources of
-- the commit by their git object ids, and the build command (the same
-- digest, the same assets). The build archives that commit, as the copy
-- strategy packs it: a commit made while the deploy runs goes neither
-- into its assets nor into its code.
local function digest_command()
  local paths = {}
  for _, p in ipairs(fetch("assets_dependencies")) do paths[#paths + 1] = q(p) end
  local repo = fetch("local_repo")
  local commit = q(releases.local_commit(repo))
  return string.format("printf '%%s ' %s && { git -C %s ls-tree -r %s -- %s; echo %s; } | sha256sum | cut -c1-64",
    commit, q(repo), commit, table.concat(paths, " "), q(fetch("assets_build_command")))
end

-- unchanged reports whether every assets host's current release was built
-- from the same digest; hosts the lock did not read are read here.
local function unchanged(sum)
  local hosts, unread = assets_hosts(), {}
  for _, h in ipairs(hosts) do
    if releases.assets_digest[h.name] == nil then unread[#unread + 1] = h end
  end
  if #unread > 0 then
    on(unread, function(host)
      releases.assets_digest[host.name] = capture("cat " .. q(current_path() .. "/ASSETS_DIGEST") .. " 2>/dev/null || true")
    end)
  end
  for _, h in ipairs(hosts) do
    if releases.assets_digest[h.name] ~= sum then return false end
  end
  return true
end

-- record_script writes the digest the release's assets were built from.
local function record_script(sum)
  return "printf '%s\\n' " .. q(sum) .. " > " .. q(release_path() .. "/ASSETS_DIGEST")
end

-- undo_shared registers, with assets_shared, serving the current
-- release's assets again should the deploy be undone.
local function undo_shared()
  if fetch("assets_shared") then
    on_rollback(sets.restore_script(), { hint = "shared/" .. fetch("assets_dir") .. " may hold the new release's assets; run " ..
      "luacap STAGE deploy:assets:restore" })
  end
end

local function reuse(sum)
  info("assets unchanged since the current release (digest " .. sum:sub(1, 12) .. "): reusing them, nothing to build")
  on(assets_hosts(), function()
    local to = assets_target()
    local from = current_path() .. "/" .. fetch("assets_dir")
    local copy = string.format("rm -rf %s && mkdir -p %s && cp -a %s/. %s/", q(to), q(to), q(from), q(to))
    if fetch("assets_shared") then -- the current release's set, or the one it served if it kept none
      local kept = q(current_path() .. "/" .. SNAPSHOT)
      copy = string.format("rm -rf %s && if [ -d %s ]; then cp -al %s %s; else %s; fi", q(to), kept, kept, q(to),
        sets.own_set(q(current_path()), q(to)))
    end
    execute(copy .. " && " .. record_script(sum))
  end)
end

-- prepared is what the deploy made ready as it started: { commit =, sum
-- =, key =, dir =, checkout = }; build is the build this run started: {
-- sum =, reuse = bool, dir =, checkout =, job = }.
local prepared, build

-- checkout_script archives commit (the one digested) into dir/src: a
-- clean checkout, never the working tree. It touches nothing but dir, so
-- it runs as the deploy starts, whatever the lock then finds.
local function checkout_script(dir, commit)
  local src = q(dir .. "/src")
  return string.format("mkdir %s && git -C %s archive %s | tar -x -C %s", src, q(fetch("local_repo")), q(commit), src)
end

-- compile_script runs the build command in dir/src, with the output in
-- dir/log: printed when the build succeeds, its error when it fails.
local function compile_script(dir)
  local log = q(dir .. "/log")
  local compile = string.format("RAILS_ENV=%s && export RAILS_ENV && cd %s && sh -c %s",
    q(fetch("rails_env")), q(dir .. "/src"), q(fetch("assets_build_command")))
  return string.format("( %s ) </dev/null >%s 2>&1; s=$?; if [ \"$s\" = 0 ]; then cat %s; else cat %s >&2; fi; exit \"$s\"",
    compile, log, log, log)
end

-- check_shared refuses assets_shared without assets_dir in linked_dirs:
-- the live release would serve its own assets_dir, which has no set.
local function check_shared()
  if not fetch("assets_shared") then return end
  local function plain(p) return (tostring(p):gsub("^%./", ""):gsub("/+$", "")) end
  local want = plain(fetch("assets_dir"))
  for _, d in ipairs(fetch("linked_dirs")) do
    if plain(d) == want then return end
  end
  error(string.format('assets_shared = true serves the assets from shared/%s: add "%s" to linked_dirs', want, want), 0)
end

-- check_manifests refuses an assets_manifests entry that is not a file
-- name: the switch removes what they match from the set it builds.
local function check_manifests()
  if not fetch("assets_shared") then return end
  for _, m in ipairs(fetch("assets_manifests")) do
    if type(m) ~= "string" or m == "" or m:find("/") then
      error(string.format("assets_manifests: %q is not a file name in assets_dir; give names or patterns with * and ?, such as \".sprockets-manifest*\"", tostring(m)), 0)
    end
  end
end

-- prepare, as the deploy starts, computes the digest, makes the build's
-- directory and starts the clean checkout in the background: local work,
-- done while the servers are dialled. The build command itself waits for
-- the lock's read of the hosts' digests: unchanged assets are not built
-- at all (a build command may do more than write files). The directory
-- goes when the run ends, however it ends.
local function prepare()
  check_shared()
  check_manifests()
  local dir = local_tempdir("assets")
  local key = digest_command()
  local commit, sum = run_locally(key, { dry_run = "dry-run-commit dry-run-digest" }):match("^(%S+) (%S+)$")
  prepared = { commit = commit, sum = sum, key = key, dir = dir,
    checkout = run_locally(checkout_script(dir, commit), { background = true }) }
end

-- start_build decides, from the digests the lock read, whether to build,
-- and starts the build in the background. What was prepared for other
-- settings (a hook changed the branch since) is prepared again.
local function start_build()
  if prepared == nil or prepared.key ~= digest_command() then
    if prepared then prepared.checkout:stop() end
    prepare()
  end
  build = { sum = prepared.sum }
  if unchanged(build.sum) then
    prepared.checkout:stop()
    build.reuse = true
    return
  end
  build.dir, build.checkout = prepared.dir, prepared.checkout
  info("building the assets in the background: " .. fetch("assets_build_command"))
  build.job = run_locally(compile_script(build.dir), { background = true, after = build.checkout })
end

-- start_send, with assets_shared, starts the rsync of the new set to
-- every assets host as soon as the release has its name: in the
-- background, once the build has ended, into sets.incoming() while the
-- strategy sends the code. The transaction's undo removes what it sent.
local function start_send()
  local b = build
  if b == nil or b.reuse or not fetch("assets_shared") then return end
  local from, to = b.dir .. "/src/" .. fetch("assets_dir"), sets.incoming()
  b.sends = {}
  sending = b
  on(assets_hosts(), function(host)
    on_rollback("rm -rf -- " .. q(to))
    b.sends[host.name] = rsync(from, to, { delete = true, link_dest = link_dest(host), background = true, after = b.job })
  end)
end

local function send(b)
  b.checkout:wait() -- its own failure, not only the build's "not started"
  b.job:wait()
  local from = b.dir .. "/src/" .. fetch("assets_dir")
  on(assets_hosts(), function(host)
    undo_shared()
    local started = b.sends and b.sends[host.name]
    if started then
      started:wait()
      execute(sets.moved_script(assets_target()) .. " && " .. record_script(b.sum))
    else
      rsync(from, assets_target(), { delete = true, link_dest = link_dest(host) })
      execute(record_script(b.sum))
    end
  end)
  if sending == b then sending = nil end
end

before("deploy:create_release", function() start_build() end)
after("deploy:name_release", function() start_send() end)

clear("deploy:assets:precompile")
desc("Builds the assets once, here, in a clean checkout of the revision, and rsyncs them to the assets_roles hosts")
task("deploy:assets:precompile", { pipelined = true }, function()
  if build == nil then start_build() end -- invoked on its own
  local b = build
  build = nil
  if b.reuse then return reuse(b.sum) end
  send(b)
end)

desc("Computes, as the deploy starts, the digest of the asset sources, and makes the build's directory")
task("deploy:assets:prepare", function()
  prepare()
  on(assets_hosts(), function() prepare_rsync() end) -- opens while the hosts are dialled and checked
end)
before("deploy:starting", "deploy:assets:prepare")

desc("With assets_shared, serves the assets of the release in current again (after a rollback)")
task("deploy:assets:restore", { pipelined = true }, function()
  if not fetch("assets_shared") then return end
  invoke("deploy:lock") -- never while a deploy switches
  local script = sets.restore_script()
  on(assets_hosts(), function() execute(script) end)
end)
-- A rollback needs no hook: its switch serves the set of the release it
-- goes back to (releases.switch_current above).
