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

-- inside_release defines inside(DIR): DIR, once symbolic links are
-- followed, is in the release. A linked path whose parent the code made a
-- link to somewhere else (public -> /srv/static, say) would have rm -rf
-- remove what is there: the release refuses instead, naming it.
local function inside_release(rel)
  return string.format("R=$(cd %s && pwd -P) && inside() { case \"$(cd \"$1\" && pwd -P)/\" in \"$R\"/*) ;; " ..
    "*) printf '%%s leads outside the release (a symbolic link in the code?): nothing is removed there\\n' \"$1\" >&2; return 1;; esac; }",
    q(rel))
end

-- link_script links every linked dir and file of the release to shared/,
-- in one command; what a linked dir already shares is not linked again.
local function link_script(rel)
  local steps, dirs = {}, fetch("linked_dirs")
  local function link(shared, target)
    steps[#steps + 1] = string.format("mkdir -p %s && inside %s && rm -rf %s && ln -s %s %s",
      q(dirname(target)), q(dirname(target)), q(target), q(shared), q(target))
  end
  for _, d in ipairs(dirs) do
    d = clean(d)
    if not inside_linked_dir(d, dirs) then
      steps[#steps + 1] = "mkdir -p " .. q(shared_path() .. "/" .. d)
      link(shared_path() .. "/" .. d, rel .. "/" .. d)
    end
  end
  for _, f in ipairs(fetch("linked_files")) do
    f = clean(f)
    if not inside_linked_dir(f, dirs) then link(shared_path() .. "/" .. f, rel .. "/" .. f) end
  end
  if #steps > 0 then table.insert(steps, 1, inside_release(rel)) end
  if fetch("group_writable") then steps[#steps + 1] = "chmod -R g+w " .. q(rel) end
  return table.concat(steps, " && ")
end


namespace("deploy", function()
  desc("Links linked_dirs and linked_files from shared/ into the release")
  task("finalize_update", { pipelined = true }, function()
    local script = link_script(release_path())
    if script == "" then return end
    on(release_roles(), function() execute(script) end)
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
