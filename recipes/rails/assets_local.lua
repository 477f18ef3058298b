-- use("rails/assets_local"): builds the assets once, on this machine, in
-- a clean checkout of the revision being deployed (never your working
-- tree), and rsyncs them to every assets host at once. The build starts
-- in the background once the lock is held, while the servers fetch and
-- unpack the code, and is waited for before the send. When nothing under
-- assets_dependencies changed since the release in current, the previous
-- release's assets are reused and nothing is built.
--
-- With assets_shared = true the assets live in shared/, and each release
-- keeps a hard-linked copy of the set it served (SNAPSHOT), so a rollback,
-- or an undone deploy, serves its own assets again.
use("rails/assets")
local q = require("luacap.shell").quote
local releases = require("luacap.recipes.releases")

local SNAPSHOT = ".luacap-assets"

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
  local state_script, remember = releases.state_script, releases.remember
  function releases.state_script()
    return state_script() .. string.format("; printf 'assets-digest %%s\\n' \"$(cat %s 2>/dev/null)\"",
      q(current_path() .. "/ASSETS_DIGEST"))
  end
  function releases.remember(host, text)
    releases.assets_digest[host.name] = text:match("assets%-digest ([^\n]*)") or ""
    return remember(host, text)
  end
end

local function assets_target()
  local base = fetch("assets_shared") and shared_path() or release_path()
  return base .. "/" .. fetch("assets_dir")
end

-- digest names the asset sources of the revision by their git object ids,
-- and the build command: the same digest, the same assets.
local function digest()
  local paths = {}
  for _, p in ipairs(fetch("assets_dependencies")) do paths[#paths + 1] = q(p) end
  return run_locally(string.format("{ git -C %s ls-tree -r %s -- %s; echo %s; } | sha256sum | cut -c1-64",
    q(fetch("local_repo")), q(fetch("branch") .. "^{commit}"), table.concat(paths, " "), q(fetch("assets_build_command"))),
    { dry_run = "dry-run-digest" })
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
-- it kept a snapshot: a copy of links, swapped in with two renames.
local function restore_script()
  local snap, live = q(current_path() .. "/" .. SNAPSHOT), shared_path() .. "/" .. fetch("assets_dir")
  local new, old = q(live .. ".luacap-new"), q(live .. ".luacap-old")
  return string.format("if [ -d %s ]; then rm -rf %s %s && cp -al %s %s && { [ ! -e %s ] || mv %s %s; } && mv %s %s && rm -rf %s; fi",
    snap, new, old, snap, new, q(live), q(live), old, new, q(live), old)
end

-- record_script writes the release's digest and, with assets_shared, its
-- snapshot of the set in shared/.
local function record_script(sum)
  local rel = release_path()
  local steps = { "printf '%s\\n' " .. q(sum) .. " > " .. q(rel .. "/ASSETS_DIGEST") }
  if fetch("assets_shared") then
    steps[#steps + 1] = string.format("rm -rf %s && cp -al %s %s", q(rel .. "/" .. SNAPSHOT), q(assets_target()), q(rel .. "/" .. SNAPSHOT))
  end
  return table.concat(steps, " && ")
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
    local steps = { record_script(sum) }
    if not fetch("assets_shared") then
      local from, to = current_path() .. "/" .. fetch("assets_dir"), assets_target()
      table.insert(steps, 1, string.format("rm -rf %s && mkdir -p %s && cp -a %s/. %s/", q(to), q(to), q(from), q(to)))
    end
    execute(table.concat(steps, " && "))
  end)
end

-- build is the build this run started: { sum =, reuse = bool, dir = }.
local build

-- stop_script stops a build still running and removes its directory.
local function stop_script(dir)
  return string.format("cd %s 2>/dev/null || exit 0; [ -f status ] || kill -TERM -$(cat pgid) 2>/dev/null; cd / && rm -rf %s",
    q(dir), q(dir))
end

-- start_script starts the build in the background, in dir/src, with its
-- output in dir/log and its exit status, once it ends, in dir/status.
-- Its process group (dir/pgid) is the one stop_script stops.
local function start_script(dir)
  local d = function(name) return q(dir .. "/" .. name) end
  local checkout = string.format("git -C %s archive %s | tar -x -C %s", q(fetch("local_repo")), q(fetch("branch")), d("src"))
  local compile = string.format("RAILS_ENV=%s && export RAILS_ENV && cd %s && sh -c %s", q(fetch("rails_env")), d("src"), q(fetch("assets_build_command")))
  -- Only the braces go to the background, with none of this command's
  -- streams: run_locally returns at once.
  return string.format("mkdir %s && echo $$ > %s || exit 1; { ( %s && %s ) </dev/null >%s 2>&1; echo $? > %s; mv %s %s; } </dev/null >/dev/null 2>&1 &",
    d("src"), d("pgid"), checkout, compile, d("log"), d("status.new"), d("status.new"), d("status"))
end

-- join_script waits for the build and prints its output; it fails as the
-- build did, with the build's output as its error.
local function join_script(dir)
  return string.format("cd %s && while [ ! -f status ]; do sleep 0.02; done; s=$(cat status); " ..
    "if [ \"$s\" = 0 ]; then cat log; else cat log >&2; fi; exit \"$s\"", q(dir))
end

-- start_build decides, from the digests the lock read, whether to build,
-- and starts the build.
local function start_build()
  build = { sum = digest() }
  if unchanged(build.sum) then
    build.reuse = true
    return
  end
  build.dir = run_locally("mktemp -d", { dry_run = "/tmp/luacap-assets" })
  local dir = build.dir
  on_exit(function() run_locally(stop_script(dir)) end, { hint = "the asset build directory " .. dir .. " may be left here; remove it" })
  info("building the assets in the background: " .. fetch("assets_build_command"))
  run_locally(start_script(dir))
end

local function send(b)
  run_locally(join_script(b.dir))
  local from = b.dir .. "/src/" .. fetch("assets_dir")
  on(assets_hosts(), function()
    undo_shared()
    rsync(from, assets_target(), { delete = true })
    execute(record_script(b.sum))
  end)
  run_locally(stop_script(b.dir))
end

before("deploy:create_release", function() start_build() end)

clear("deploy:assets:precompile")
desc("Builds the assets once, here, in a clean checkout of the revision, and rsyncs them to the assets_roles hosts")
task("deploy:assets:precompile", { pipelined = true }, function()
  if build == nil then start_build() end -- invoked on its own
  local b = build
  build = nil
  if b.reuse then return reuse(b.sum) end
  send(b)
end)

desc("With assets_shared, serves the assets of the release in current again (after a rollback)")
task("deploy:assets:restore", { pipelined = true }, function()
  if not fetch("assets_shared") then return end
  local script = restore_script()
  on(assets_hosts(), function() execute(script) end)
end)
after("deploy:rollback:revision", "deploy:assets:restore")
