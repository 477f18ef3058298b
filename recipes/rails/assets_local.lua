-- use("rails/assets_local"): builds the assets once, on this machine, in
-- a clean checkout of the revision being deployed (never your working
-- tree), rsyncs them to every assets host, and removes the build. When
-- nothing under assets_dependencies changed since the release in
-- current, the previous release's assets are reused and nothing is built.
use("rails/assets")
local q = require("luacap.shell").quote

-- assets_hosts are the hosts of assets_roles.
local function assets_hosts() return roles(unpack(fetch("assets_roles"))) end

set_if_empty("local_repo", ".")
set_if_empty("assets_dependencies", { "app/assets", "app/javascript", "lib/assets", "vendor/assets",
  "Gemfile.lock", "package.json", "yarn.lock", "config/initializers/assets.rb" })

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
-- from the same digest.
local function unchanged(sum)
  local same = true
  on(assets_hosts(), function()
    if capture("cat " .. q(current_path() .. "/ASSETS_DIGEST") .. " 2>/dev/null || true") ~= sum then same = false end
  end)
  return same
end

local function reuse(sum)
  info("assets unchanged since the current release (digest " .. sum:sub(1, 12) .. "): reusing them, nothing to build")
  on(assets_hosts(), function()
    local steps = { "printf '%s\\n' " .. q(sum) .. " > " .. q(release_path() .. "/ASSETS_DIGEST") }
    if not fetch("assets_shared") then
      local from, to = current_path() .. "/" .. fetch("assets_dir"), assets_target()
      table.insert(steps, 1, string.format("rm -rf %s && mkdir -p %s && cp -a %s/. %s/", q(to), q(to), q(from), q(to)))
    end
    execute(table.concat(steps, " && "))
  end)
end

local function build_and_send(sum)
  local dir = run_locally("mktemp -d", { dry_run = "/tmp/luacap-assets" })
  local ok, err = pcall(function()
    run_locally(string.format("git -C %s archive %s | tar -x -C %s", q(fetch("local_repo")), q(fetch("branch")), q(dir)))
    within(dir, function()
      with({ RAILS_ENV = fetch("rails_env") }, function() run_locally(fetch("assets_build_command")) end)
    end)
    on(assets_hosts(), function()
      execute("mkdir -p " .. q(assets_target()))
      rsync(dir .. "/" .. fetch("assets_dir"), assets_target(), { delete = true })
      execute("printf '%s\\n' " .. q(sum) .. " > " .. q(release_path() .. "/ASSETS_DIGEST"))
    end)
  end)
  run_locally({ "rm", "-rf", dir })
  if not ok then error(err, 0) end
end

clear("deploy:assets:precompile")
desc("Builds the assets once, here, in a clean checkout of the revision, and rsyncs them to the assets_roles hosts")
task("deploy:assets:precompile", function()
  local sum = digest()
  if unchanged(sum) then return reuse(sum) end
  build_and_send(sum)
end)
