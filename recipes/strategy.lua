-- Strategies make the release directory; deploy_via picks one.
--   remote_cache: a git mirror in deploy_to/repo on each server, updated
--                 with fetch; the release is a git archive of branch.
--   copy:         an archive packed once here (a directory, or git
--                 archive of a local repository), uploaded to every host.
local q = require("luacap.shell").quote
local join = require("luacap.shell").join
local paths = require("luacap.paths") -- local paths are relative to the Deployfile
local releases = require("luacap.recipes.releases")
local names = require("luacap.recipes.release_names")

-- tree is "REV" or "REV:subdir" for repo_tree; REV is the branch.
local function tree(rev)
  rev = rev or releases.branch()
  local sub = fetch("repo_tree", nil)
  return sub and (rev .. ":" .. sub) or rev
end

-- update_mirror updates the git mirror in repo, or clones it.
local function update_mirror(repo, url)
  return string.format("if [ -f %s ]; then %s && %s >/dev/null; else %s; fi", q(repo .. "/HEAD"),
    join({ "git", "-C", repo, "remote", "set-url", "origin", "--", url }),
    join({ "git", "-C", repo, "remote", "update", "--prune" }),
    join({ "git", "clone", "--mirror", "--quiet", "--", url, repo }))
end

-- remote_cache_script updates the mirror, makes the release and unpacks
-- the branch into it. One command, not a step each, because the task
-- waits for it: the steps cost one round trip, not three.
local function remote_cache_script()
  local repo, rel, commit = deploy_to() .. "/repo", release_path(), releases.branch() .. "^{commit}"
  return table.concat({
    update_mirror(repo, fetch("repo_url")),
    releases.make_release(join({ "git", "-C", repo, "rev-parse", "--verify", commit }),
      join({ "git", "-C", repo, "log", "-1", "--format=%ct", commit, "--" })),
    join({ "git", "-C", repo, "archive", tree() }) .. " | " .. join({ "tar", "-x", "-f", "-", "-C", rel }),
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

-- PACK_COMMIT archives tree $3 of repository $1 as $2 and prints the id
-- and time of commit $4. One local command, not two: each process here
-- costs some 15 ms.
local PACK_COMMIT = [[git -C "$1" archive --format=tar.gz -o "$2" "$3" && git -C "$1" log -1 --format='%H %ct' "$4" --]]

-- pack_command packs the release the copy strategy sends into archive.
local function pack_command(archive)
  local source = fetch("copy_source", nil)
  if source then return { "tar", "-czf", archive, "-C", source, "." } end
  local repo = paths.local_path(fetch("repo_url", "."))
  local commit = releases.local_commit(repo)
  return { "sh", "-c", PACK_COMMIT, "sh", repo, archive, tree(commit), commit }
end

-- packing is the pack this run started: { archive =, words =, job = }.
local packing

-- start_pack starts packing in the background, as the deploy starts:
-- the archive is made here while the servers are dialled, checked and
-- locked, and is waited for when it is sent. Its directory goes when the
-- run ends, however it ends.
local function start_pack()
  local archive = local_tempdir("copy") .. "/release.tar.gz"
  local words = pack_command(archive)
  packing = { archive = archive, words = join(words),
    job = run_locally(words, { background = true, dry_run = "0000000000000000000000000000000000000000 0" }) }
end

-- packed waits for the pack and returns the archive, its revision and,
-- for a commit, its time (a directory has none). A pack made for other
-- settings (a hook changed the branch since it started) is stopped and
-- made again.
local function packed()
  if packing == nil or packing.words ~= join(pack_command(packing.archive)) then
    if packing then packing.job:stop() end
    start_pack()
  end
  local out = packing.job:wait()
  local source = fetch("copy_source", nil)
  if source then return packing.archive, "directory " .. source end
  return packing.archive, out:match("^(%S+) (%S+)$")
end

namespace("deploy", function()
  desc("Makes the release directory with the strategy deploy_via names, and writes REVISION")
  task("create_release", function()
    invoke("deploy:name_release")
    invoke("deploy:strategy:" .. fetch("deploy_via"))
  end)

  desc("Settles the new release's name once the lock is held: the one given or made at start, unless a host has it or a newer one")
  task("name_release", function() decide_name() end)

  desc("remote_cache: updates the git mirror on each host and archives the branch into the release")
  task("strategy:remote_cache", function()
    local script = remote_cache_script()
    on(release_roles(), function()
      releases.undo_new_release()
      execute(script)
    end)
  end)

  desc("Starts, as the deploy starts, what the strategy makes here: copy packs its archive in the background")
  task("strategy:prepare", function()
    if fetch("deploy_via") == "copy" then start_pack() end
  end)

  desc("copy: packs the release once here and uploads it to every host; no git on the servers")
  task("strategy:copy", function()
    local archive, revision, time = packed()
    local rel = release_path()
    -- The archive streams into tar: one command sends and unpacks it.
    local unpack = releases.make_release(join({ "printf", "%s\\n", revision }), time and join({ "printf", "%s\\n", time })) ..
      " && " .. join({ "tar", "-xzf", "-", "-C", rel })
    on(release_roles(), function()
      releases.undo_new_release()
      execute(unpack, { stdin = archive })
    end)
  end)
end)
before("deploy:starting", "deploy:strategy:prepare")
