-- Strategies make the release directory; deploy_via picks one.
--   remote_cache: a git mirror in deploy_to/repo on each server, updated
--                 with fetch; the release is a git archive of branch.
--   copy:         an archive packed once here (a directory, or git
--                 archive of a local repository), uploaded to every host.
local q = require("luacap.shell").quote

-- tree is "REV" or "REV:subdir" for repo_tree.
local function tree()
  local sub = fetch("repo_tree", nil)
  return sub and (fetch("branch") .. ":" .. sub) or fetch("branch")
end

local function remote_cache_script()
  local repo, rel = deploy_to() .. "/repo", release_path()
  return table.concat({
    string.format("if [ -f %s/HEAD ]; then git -C %s remote set-url origin %s && git -C %s remote update --prune >/dev/null; " ..
      "else git clone --mirror --quiet %s %s; fi", q(repo), q(repo), q(fetch("repo_url")), q(repo), q(fetch("repo_url")), q(repo)),
    string.format("mkdir -p %s && mkdir %s", q(releases_path()), q(rel)),
    string.format("git -C %s archive %s | tar -x -f - -C %s", q(repo), q(tree()), q(rel)),
    string.format("git -C %s rev-parse --verify %s > %s/REVISION", q(repo), q(fetch("branch") .. "^{commit}"), q(rel)),
  }, " && ")
end

-- pack makes the archive the copy strategy sends and returns its revision.
local function pack(archive)
  local source = fetch("copy_source", nil)
  if source then
    run_locally({ "tar", "-czf", archive, "-C", source, "." })
    return "directory " .. source
  end
  local repo = fetch("repo_url", ".")
  run_locally({ "git", "-C", repo, "archive", "--format=tar.gz", "-o", archive, tree() })
  return run_locally({ "git", "-C", repo, "rev-parse", "--verify", fetch("branch") .. "^{commit}" })
end

namespace("deploy", function()
  desc("Makes the release directory with the strategy deploy_via names, and writes REVISION")
  task("create_release", function()
    invoke("deploy:strategy:" .. fetch("deploy_via"))
  end)

  desc("remote_cache: updates the git mirror on each host and archives the branch into the release")
  task("strategy:remote_cache", function()
    local script = remote_cache_script()
    on(release_roles(), function()
      on_rollback("rm -rf " .. q(release_path()))
      execute(script)
    end)
  end)

  desc("copy: packs the release once here and uploads it to every host; no git on the servers")
  task("strategy:copy", function()
    local dir = run_locally("mktemp -d", { dry_run = "/tmp/luacap-copy" })
    local archive = dir .. "/release.tar.gz"
    local ok, err = pcall(function()
      local revision = pack(archive)
      local rel = release_path()
      -- The archive streams into tar: one command sends and unpacks it.
      local unpack = string.format("mkdir -p %s && mkdir %s && tar -xzf - -C %s && printf '%%s\\n' %s > %s/REVISION",
        q(releases_path()), q(rel), q(rel), q(revision), q(rel))
      on(release_roles(), function()
        on_rollback("rm -rf " .. q(rel))
        execute(unpack, { stdin = archive })
      end)
    end)
    run_locally({ "rm", "-rf", dir })
    if not ok then error(err, 0) end
  end)
end)
