-- Linking shared files into the release, and switching current to it.
local q = require("luacap.shell").quote
local releases = require("luacap.recipes.releases")

local function dirname(p) return p:match("^(.*)/[^/]*$") or "." end

-- clean is a linked path as a relative path without "./" or trailing "/".
local function clean(p) return (p:gsub("^%./+", ""):gsub("/+$", "")) end

-- inside_linked_dir reports whether path lies under one of dirs: in the
-- release it is then already the shared file, through the dir's link, and
-- linking it again would remove the shared file itself and leave a link
-- to itself in its place.
local function inside_linked_dir(path, dirs)
  for _, d in ipairs(dirs) do
    local dir = clean(d)
    if dir ~= "" and path:sub(1, #dir + 1) == dir .. "/" then return true end
  end
  return false
end

-- link_steps are the commands that link every linked dir and file of
-- the release to shared/, as Capistrano's tasks do: remove what the code
-- has in those places, make the directories, link each (what a linked
-- dir already shares is not linked again). A step is a command for all
-- paths where it can be: each command is a process on every host. The
-- links with one parent are one ln, which makes each link in that
-- directory under the name it has in shared/, and fails rather than
-- link inside a directory that stands there.
local function link_steps(rel)
  local dirs, mkdir, targets, seen = fetch("linked_dirs"), { "mkdir", "-p" }, {}, {}
  local by_parent, parents = {}, {}
  -- link links path in the release to path in shared/; a linked dir is
  -- made in shared/ too, a linked file must be there already.
  local function link(path, is_dir)
    if seen[path] then return end
    seen[path] = true
    local shared, target = shared_path() .. "/" .. path, rel .. "/" .. path
    if is_dir then mkdir[#mkdir + 1] = shared end
    local parent = dirname(target)
    if by_parent[parent] == nil then
      by_parent[parent], parents[#parents + 1] = {}, parent
      mkdir[#mkdir + 1] = parent
    end
    table.insert(by_parent[parent], shared)
    targets[#targets + 1] = target
  end
  for _, d in ipairs(dirs) do
    if not inside_linked_dir(clean(d), dirs) then link(clean(d), true) end
  end
  for _, f in ipairs(fetch("linked_files")) do
    if not inside_linked_dir(clean(f), dirs) then link(clean(f), false) end
  end
  local steps = {}
  if #targets > 0 then
    steps = { releases.remove_inside(rel, targets), mkdir }
    for _, parent in ipairs(parents) do
      steps[#steps + 1] = { "ln", "-s", unpack(by_parent[parent]) }
      table.insert(steps[#steps], parent)
    end
  end
  if fetch("group_writable") then steps[#steps + 1] = { "chmod", "-R", "g+w", rel } end
  return steps
end

namespace("deploy", function()
  desc("Links linked_dirs and linked_files from shared/ into the release")
  task("finalize_update", { pipelined = true }, function()
    local steps = link_steps(release_path())
    if #steps == 0 then return end
    on(release_roles(), function()
      for _, step in ipairs(steps) do execute(step) end
    end)
  end)

  desc("Points current at the new release on every host, atomically")
  task("symlink", function()
    local script = releases.switch_current(release_path())
    on(release_roles(), function(host)
      -- The undo is registered first, from where current pointed when the
      -- lock was taken: should the command fail after the switch, the
      -- host still goes back with the others.
      local previous = releases.state_of(host).target
      on_rollback(releases.unswitch_current(release_path(), previous), { hint = "current may still point at release " ..
        fetch("release_name") .. " here while other hosts went back: run deploy:rollback with -s rollback_release=NAME" })
      capture(script)
      releases.went_live(host, fetch("release_name"))
    end)
  end)

  desc("Appends the deployed revision to revisions.log")
  task("log_revision", { pipelined = true }, function()
    local line = string.format("%s; printf 'Branch %%s (at %%s) deployed as release %%s by %%s\\n' %s \"$rev\" %s %s >> %s",
      releases.read_line("rev", release_path() .. "/REVISION"), q(tostring(fetch("branch"))), q(fetch("release_name")),
      q(fetch("local_user")), q(deploy_to() .. "/revisions.log"))
    on(release_roles(), function() execute(line) end)
  end)
end)
alias("deploy:symlink", "deploy:create_symlink")
