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

local SNAPSHOT = ".luacap-assets"

-- remove_leftovers removes the sets a run cut off may have left beside
-- live, the set shared/ serves.
local function remove_leftovers(live)
  return "{ " .. releases.remove_present("-rf", { live .. ".luacap-new", live .. ".luacap-old" }) .. "; }"
end

-- serve_script, run right after current was switched to target, serves in
-- shared/ target's set and, for the requests still in flight, the set of
-- the release current pointed at before ($p, read by the switch): built
-- aside from hard links, then swapped in by two renames. A release left
-- that kept no set (deployed before assets_shared) keeps what shared/
-- served until now as its own, so that a rollback to it, or an undo of
-- this switch, serves its manifest again. Each program here runs on every
-- host: the leftovers of a cut-off run are removed only when there are
-- any, and the first set copied makes the new directory. A set is copied
-- through its "/.": when shared/'s is a link to where the assets are
-- kept, a copy of the link would let the new set be written through it,
-- over the set the release left serves.
local function serve_script(target)
  local live = shared_path() .. "/" .. fetch("assets_dir")
  local new, old, snap = q(live .. ".luacap-new"), q(live .. ".luacap-old"), q(target .. "/" .. SNAPSHOT)
  local keep = string.format("{ [ -z \"$p\" ] || [ \"$p\" = %s ] || [ ! -d \"$p\" ] || cp -al %s \"$p\"/%s; }",
    q(target), q(live .. "/."), SNAPSHOT)
  return string.format("if [ -d %s ]; then %s && " ..
    "{ if [ -n \"$p\" ] && [ \"$p\" != %s ] && [ -d \"$p\"/%s ]; then cp -al \"$p\"/%s/. %s; elif [ -d %s ]; then cp -al %s %s && %s; else mkdir %s; fi; } && " ..
    "cp -alf %s/. %s/ && { [ ! -e %s ] || mv %s %s; } && mv %s %s && rm -rf %s; fi",
    snap, remove_leftovers(live),
    q(target), SNAPSHOT, SNAPSHOT, new, q(live), q(live .. "/."), new, keep, new,
    snap, new, q(live), q(live), old, new, q(live), old)
end

-- repair_script puts back the set shared/ serves when a run was cut off
-- between the two renames that swap it (a kill -9 there): the set built
-- for current if it was complete, else the one it replaced. The command
-- that takes the lock runs it, so the next run mends it first. deploy:check
-- (before the lock) may have made an empty dir in its place: that counts
-- as missing. A set still there and not empty is kept: the cut came while
-- the new one was being built, and the next switch builds it again.
local function repair_script()
  local live = q(shared_path() .. "/" .. fetch("assets_dir"))
  local new, old = q(shared_path() .. "/" .. fetch("assets_dir") .. ".luacap-new"),
    q(shared_path() .. "/" .. fetch("assets_dir") .. ".luacap-old")
  return string.format("if [ -d %s ] || [ -d %s ]; then { [ -e %s ] && ! rmdir %s 2>/dev/null; } || " ..
    "{ [ -d %s ] && mv %s %s; } || mv %s %s; fi; true", new, old, live, live, new, new, live, old, live)
end

-- incoming is where, with assets_shared, the new set is rsynced while the
-- strategy sends the code: beside the releases, under a dot name that no
-- listing of releases reads, and moved into the new release once it is
-- made (the strategy's mkdir of the release must be the first).
local function incoming() return releases_path() .. "/." .. fetch("release_name") .. SNAPSHOT end

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
  local inc = q(incoming())
  return string.format(" && { { [ ! -e %s ] && [ ! -L %s ]; } || rm -rf -- %s || true; }", inc, inc, inc)
end

-- remove_incoming_script removes what a run cut off left in incoming
-- places, and whatever else has such a name: a link there (to anywhere)
-- would have the rsync write, and delete, through it. rm removes the
-- link, never what it points at. The command that takes the lock runs
-- it: no other run sends while this one holds the lock. Only a match
-- forks.
local function remove_incoming_script()
  return string.format("for s in %s/.*%s; do if [ -L \"$s\" ] || [ -e \"$s\" ]; then rm -rf -- \"$s\"; fi; done", q(releases_path()), SNAPSHOT)
end

-- assets_hosts are the hosts of assets_roles.
local function assets_hosts() return roles(unpack(fetch("assets_roles"))) end

set_if_empty("local_repo", ".")
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
    return script .. "; " .. repair_script() .. "; " .. remove_incoming_script()
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
    return script .. " && { " .. serve_script(target) .. "; } >&2" .. finish_sends()
  end
  -- An undone rollback switches back the same way: the code in current
  -- goes back with its own set (and its manifest).
  function releases.switch_back(target)
    local script = switch_back(target)
    if not fetch("assets_shared") then return script end
    return script .. " && { " .. serve_script(target) .. "; } >&2"
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

-- digest_command prints the commit branch names and its digest: the
-- asset sources of the commit by their git object ids, and the build
-- command (the same digest, the same assets). The build archives that
-- commit, not the branch: a commit made while the deploy waits for the
-- lock goes neither into its assets nor into the code it packed.
local function digest_command()
  local paths = {}
  for _, p in ipairs(fetch("assets_dependencies")) do paths[#paths + 1] = q(p) end
  return string.format("c=$(git -C %s rev-parse --verify %s) && printf '%%s ' \"$c\" && { git -C %s ls-tree -r \"$c\" -- %s; echo %s; } | sha256sum | cut -c1-64",
    q(fetch("local_repo")), q(fetch("branch") .. "^{commit}"), q(fetch("local_repo")), table.concat(paths, " "), q(fetch("assets_build_command")))
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

-- restore_script serves the assets of the release in current again, when
-- it kept a snapshot: a copy of links (through its "/.", should an older
-- run have kept a link), swapped in with two renames.
local function restore_script()
  local snap, live = q(current_path() .. "/" .. SNAPSHOT), shared_path() .. "/" .. fetch("assets_dir")
  local new, old = q(live .. ".luacap-new"), q(live .. ".luacap-old")
  return string.format("if [ -d %s ]; then %s && cp -al %s %s && { [ ! -e %s ] || mv %s %s; } && mv %s %s && rm -rf %s; fi",
    snap, remove_leftovers(live), q(current_path() .. "/" .. SNAPSHOT .. "/."), new, q(live), q(live), old, new, q(live), old)
end

-- record_script writes the digest the release's assets were built from.
local function record_script(sum)
  return "printf '%s\\n' " .. q(sum) .. " > " .. q(release_path() .. "/ASSETS_DIGEST")
end

-- undo_shared registers, with assets_shared, serving the current
-- release's assets again should the deploy be undone.
local function undo_shared()
  if fetch("assets_shared") then
    on_rollback(restore_script(), { hint = "shared/" .. fetch("assets_dir") .. " may hold the new release's assets; run " ..
      "luacap STAGE deploy:assets:restore" })
  end
end

local function reuse(sum)
  info("assets unchanged since the current release (digest " .. sum:sub(1, 12) .. "): reusing them, nothing to build")
  on(assets_hosts(), function()
    local to = assets_target()
    local from = current_path() .. "/" .. fetch("assets_dir")
    local copy = string.format("rm -rf %s && mkdir -p %s && cp -a %s/. %s/", q(to), q(to), q(from), q(to))
    if fetch("assets_shared") then -- the current release's set, or what shared/ serves if it kept none
      local kept, live = q(current_path() .. "/" .. SNAPSHOT), q(shared_path() .. "/" .. fetch("assets_dir"))
      copy = string.format("rm -rf %s && if [ -d %s ]; then cp -al %s %s; else cp -al %s %s; fi", q(to), kept, kept, q(to), live, q(to))
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

-- prepare, as the deploy starts, computes the digest, makes the build's
-- directory and starts the clean checkout in the background: local work,
-- done while the servers are dialled. The build command itself waits for
-- the lock's read of the hosts' digests: unchanged assets are not built
-- at all (a build command may do more than write files). The directory
-- goes when the run ends, however it ends.
local function prepare()
  check_shared()
  local dir = run_locally("mktemp -d", { dry_run = "/tmp/luacap-assets" })
  on_exit(function() run_locally({ "rm", "-rf", dir }) end,
    { hint = "the asset build directory " .. dir .. " may be left here; remove it" })
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
-- background, once the build has ended, into incoming() while the
-- strategy sends the code. The transaction's undo removes what it sent.
local function start_send()
  local b = build
  if b == nil or b.reuse or not fetch("assets_shared") then return end
  local from, to = b.dir .. "/src/" .. fetch("assets_dir"), incoming()
  b.sends = {}
  sending = b
  on(assets_hosts(), function(host)
    on_rollback("rm -rf -- " .. q(to))
    b.sends[host.name] = rsync(from, to, { delete = true, link_dest = link_dest(host), background = true, after = b.job })
  end)
end

-- moved_script moves the set sent to incoming() into the new release,
-- in place of whatever the code has there (mv -T refuses a directory that
-- is not empty; rm removes a link, not what it points at).
local function moved_script()
  local to = q(assets_target())
  return string.format("{ { [ ! -e %s ] && [ ! -L %s ]; } || rm -rf -- %s; } && mv -T -- %s %s", to, to, to, q(incoming()), to)
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
      execute(moved_script() .. " && " .. record_script(b.sum))
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
task("deploy:assets:prepare", function() prepare() end)
before("deploy:starting", "deploy:assets:prepare")

desc("With assets_shared, serves the assets of the release in current again (after a rollback)")
task("deploy:assets:restore", { pipelined = true }, function()
  if not fetch("assets_shared") then return end
  invoke("deploy:lock") -- never while a deploy switches
  local script = restore_script()
  on(assets_hosts(), function() execute(script) end)
end)
-- A rollback needs no hook: its switch serves the set of the release it
-- goes back to (releases.switch_current above).
