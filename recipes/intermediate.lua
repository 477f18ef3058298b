-- Two-phase deploys through an intermediary host, for fleets whose
-- servers should not reach the git server or each download the release:
--   1. luacap production deploy:prepare_release
--      packs the release here and uploads it once, to the primary host of
--      role intermediate_host, as releases/<timestamp>.tar.gz, and points
--      deploy_to/current_tgz at it;
--   2. luacap production deploy   (with deploy_via = "intermediate_host")
--      every server pulls current_tgz from the intermediary and unpacks it
--      into a release named <deploy timestamp>_<prepare timestamp>.
local q = require("luacap.shell").quote
local paths = require("luacap.paths") -- local paths are relative to the Deployfile
local releases = require("luacap.recipes.releases")
local names = require("luacap.recipes.release_names")

set_if_empty("intermediate_role", "intermediate_host")
set_if_empty("archive_format", "tar.gz")       -- or "tar"
set_if_empty("intermediate_fetch", "ssh")      -- or "http", from intermediate_url
set_if_empty("local_repo", ".")

local function intermediary()
  local role = fetch("intermediate_role")
  local h = primary(role)
  if h == nil then
    error(string.format("no host has role %q; declare the intermediary with server(name, { roles = { %q } })", role, role), 0)
  end
  return h
end

local function untar()
  local format = fetch("archive_format")
  if format == "tar.gz" or format == "tgz" then return "tar -xzf -" end
  if format == "tar" then return "tar -xf -" end
  error("archive_format must be \"tar.gz\" or \"tar\", not " .. tostring(format), 0)
end

-- pull_command streams current_tgz from the intermediary into stdout.
local function pull_command(from, here)
  local archive = deploy_to() .. "/current_tgz"
  if here.name == from.name then return "cat " .. q(archive) end
  if fetch("intermediate_fetch") == "http" then return "curl -fsS --url " .. q(fetch("intermediate_url")) end
  local address, port = ssh_address(from) -- its real address: servers may not know luacap's aliases
  -- The remote command is a shell line of its own: the path is quoted
  -- in it, and the whole line quoted again for this host's shell.
  return string.format("ssh -o BatchMode=yes -p %d -- %s %s", port, q(address), q("cat -- " .. q(archive)))
end

namespace("deploy", function()
  desc("Packs the release here with git archive and uploads it once, to the intermediary host")
  task("prepare_release", function()
    local name = fetch("release_name") .. "." .. fetch("archive_format")
    untar() -- checks archive_format before anything is packed
    local dir = local_tempdir("prepare")
    -- Absolute: git archive -C reads a relative -o from local_repo.
    local archive = paths.absolute(fetch("archive_output", nil)) or dir .. "/" .. name
    local repo = fetch("local_repo")
    local commit = releases.local_commit(repo) -- the branch, read once: REVISION is what is packed
    run_locally({ "sh", "-c", "printf '%s\\n' \"$2\" > \"$3/REVISION\" && " ..
      "git -C \"$1\" log -1 --format=%ct \"$2\" -- > \"$3/REVISION_TIME\"", "sh", repo, commit, dir })
    run_locally({ "git", "-C", repo, "archive", "--format=" .. fetch("archive_format"), "--add-file=" .. dir .. "/REVISION",
      "--add-file=" .. dir .. "/REVISION_TIME", "-o", archive, commit })
    on(intermediary(), function()
      execute("mkdir", "-p", releases_path())
      upload(archive, releases_path() .. "/" .. name)
      execute(releases.replace_link(deploy_to() .. "/current_tgz", releases_path() .. "/" .. name))
    end)
  end)

  desc("Names the release <deploy timestamp>_<prepare timestamp> from the intermediary's current_tgz")
  task("intermediate:release_name", function()
    local prepared, from = nil, intermediary()
    on(from, function()
      -- A dry run reads nothing: "prepared" stands for the archive's name.
      prepared = capture("basename \"$(readlink " .. q(deploy_to() .. "/current_tgz") .. ")\"", { dry_run = "prepared.tar.gz" })
    end)
    if prepared == nil then
      error(string.format("the intermediary %s is not among this run's hosts (--hosts, --roles), so its current_tgz " ..
        "cannot be read to name the release: add it, e.g. --hosts %s,...", from.name, from.name), 0)
    end
    prepared = prepared:gsub("%.tar%.gz$", ""):gsub("%.tgz$", ""):gsub("%.tar$", "")
    if prepared == "" then
      error("the intermediary has no current_tgz: run deploy:prepare_release first", 0)
    end
    if not names.valid(fetch("release_name") .. "_" .. prepared) then
      error(string.format("the intermediary's current_tgz names the archive %q, which does not make a release name; " ..
        "run deploy:prepare_release again", prepared), 0)
    end
    set("release_name", fetch("release_name") .. "_" .. prepared)
  end)

  desc("intermediate_host: every server pulls current_tgz from the intermediary and unpacks it; no git on the servers")
  task("strategy:intermediate_host", function()
    invoke("deploy:intermediate:release_name")
    local from, unpack_cmd = intermediary(), untar()
    on(release_roles(), function(h)
      releases.undo_new_release()
      -- The archive holds the real REVISION; it replaces the placeholder.
      -- One command: the archive streams from the pull into tar.
      execute(releases.make_release("echo pending") .. " && " .. pull_command(from, h) .. " | " .. unpack_cmd .. " -C " ..
        q(release_path()))
    end)
  end)
end)
