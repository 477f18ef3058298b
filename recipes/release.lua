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

-- STAYS_INSIDE fails, naming it, when a path after $1 (the release) leads
-- outside it once links are followed (its nearest existing parent is
-- checked): when the code makes a linked path's parent a link to
-- somewhere else (public -> /srv/static, say), the rm -rf that replaces
-- the linked path would remove what is there.
local STAYS_INSIDE = [[r=$(cd "$1" && pwd -P) || exit 1; shift; for t; do d=$(dirname "$t"); ]] ..
  [[while [ ! -e "$d" ]; do d=$(dirname "$d"); done; case "$(cd "$d" && pwd -P)/" in "$r"/*) ;; ]] ..
  [[*) printf '%s leads outside the release (a symbolic link in the code?): nothing is removed there\n' "$t" >&2; exit 1 ;; esac; done]]

-- link_steps are the commands that link every linked dir and file of
-- the release to shared/, as Capistrano's tasks do: make the directories,
-- remove what the code has in those places, link each (what a linked dir
-- already shares is not linked again). A step is a command for all paths
-- where it can be: each command is a process on every host.
local function link_steps(rel)
  local dirs, mkdir, rm, links = fetch("linked_dirs"), { "mkdir", "-p" }, { "rm", "-rf" }, {}
  -- link links path in the release to path in shared/; a linked dir is
  -- made in shared/ too, a linked file must be there already.
  local function link(path, is_dir)
    local shared, target = shared_path() .. "/" .. path, rel .. "/" .. path
    if is_dir then mkdir[#mkdir + 1] = shared end
    mkdir[#mkdir + 1] = dirname(target)
    rm[#rm + 1] = target
    links[#links + 1] = { "ln", "-s", shared, target }
  end
  for _, d in ipairs(dirs) do
    if not inside_linked_dir(clean(d), dirs) then link(clean(d), true) end
  end
  for _, f in ipairs(fetch("linked_files")) do
    if not inside_linked_dir(clean(f), dirs) then link(clean(f), false) end
  end
  local steps = {}
  if #links > 0 then
    -- before anything is removed: no path it replaces leads outside
    local check = { "sh", "-c", STAYS_INSIDE, "sh", rel }
    for k = 3, #rm do check[#check + 1] = rm[k] end
    steps = { check, mkdir, rm }
    for _, l in ipairs(links) do steps[#steps + 1] = l end
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
    local line = string.format("printf 'Branch %%s (at %%s) deployed as release %%s by %%s\\n' %s \"$(cat %s/REVISION)\" %s %s >> %s",
      q(tostring(fetch("branch"))), q(release_path()), q(fetch("release_name")), q(fetch("local_user")),
      q(deploy_to() .. "/revisions.log"))
    on(release_roles(), function() execute(line) end)
  end)
end)
alias("deploy:symlink", "deploy:create_symlink")
