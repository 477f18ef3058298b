-- Strategies make the release directory; deploy_via picks one.
--   remote_cache: a git mirror in deploy_to/repo on each server, updated
--                 with fetch; the release is a git archive of branch.
--   copy:         an archive packed once here (a directory, or git
--                 archive of a local repository), uploaded to every host.
local q = require("luacap.shell").quote
local paths = require("luacap.paths") -- local paths are relative to the Deployfile
local releases = require("luacap.recipes.releases")
local names = require("luacap.recipes.release_names")

-- tree is "REV" or "REV:subdir" for repo_tree.
local function tree()
  local sub = fetch("repo_tree", nil)
  return sub and (releases.branch() .. ":" .. sub) or releases.branch()
end

local function remote_cache_script()
  local repo, rel = deploy_to() .. "/repo", release_path()
  return table.concat({
    string.format("if [ -f %s/HEAD ]; then git -C %s remote set-url origin -- %s && git -C %s remote update --prune >/dev/null; " ..
      "else git clone --mirror --quiet -- %s %s; fi", q(repo), q(repo), q(fetch("repo_url")), q(repo), q(fetch("repo_url")), q(repo)),
    releases.make_release(string.format("git -C %s rev-parse --verify %s", q(repo), q(releases.branch() .. "^{commit}")),
      string.format("git -C %s log -1 --format=%%ct %s --", q(repo), q(releases.branch() .. "^{commit}"))),
    string.format("git -C %s archive %s | tar -x -f - -C %s", q(repo), q(tree()), q(rel)),
  }, " && ")
end

-- decide_name settles the new release's name once the lock is held: the
-- name given or made at start, unless a release on some host has it or
-- sorts after it (two deploys in one second, a clock behind).
local function decide_name()
  if next(releases.state) == nil then -- no lock was taken: read the hosts here
    on(release_roles(), function(host) releases.state_of(host) end)
  end
  local candidate = tostring(fetch("release_name"))
  local chosen, err = names.choose(candidate, releases.newest(), releases.taken)
  if chosen == nil then error(err, 0) end
  if chosen ~= candidate then
    info(string.format("release %s is taken or older than the newest release; this release is %s", candidate, chosen))
    set("release_name", chosen)
  end
end

-- pack makes the archive the copy strategy sends and returns its revision
-- and, for a commit, its time (a directory has none).
local function pack(archive)
  local source = fetch("copy_source", nil)
  if source then
    run_locally({ "tar", "-czf", archive, "-C", source, "." })
    return "directory " .. source
  end
  local repo = paths.local_path(fetch("repo_url", "."))
  run_locally({ "git", "-C", repo, "archive", "--format=tar.gz", "-o", archive, tree() })
  local revision = run_locally({ "git", "-C", repo, "rev-parse", "--verify", releases.branch() .. "^{commit}" })
  return revision, run_locally({ "git", "-C", repo, "log", "-1", "--format=%ct", revision, "--" })
end

namespace("deploy", function()
  desc("Makes the release directory with the strategy deploy_via names, and writes REVISION")
  task("create_release", function()
    decide_name()
    invoke("deploy:strategy:" .. fetch("deploy_via"))
  end)

  desc("remote_cache: updates the git mirror on each host and archives the branch into the release")
  task("strategy:remote_cache", function()
    local script = remote_cache_script()
    on(release_roles(), function()
      releases.undo_new_release()
      execute(script)
    end)
  end)

  desc("copy: packs the release once here and uploads it to every host; no git on the servers")
  task("strategy:copy", function()
    local dir = run_locally("mktemp -d", { dry_run = "/tmp/luacap-copy" })
    local archive = dir .. "/release.tar.gz"
    local ok, err = pcall(function()
      local revision, time = pack(archive)
      local rel = release_path()
      -- The archive streams into tar: one command sends and unpacks it.
      local unpack = releases.make_release("printf '%s\\n' " .. q(revision), time and ("printf '%s\\n' " .. q(time))) ..
        " && tar -xzf - -C " .. q(rel)
      on(release_roles(), function()
        releases.undo_new_release()
        execute(unpack, { stdin = archive })
      end)
    end)
    run_locally({ "rm", "-rf", dir })
    if not ok then error(err, 0) end
  end)
end)
