-- conditionally_migrate, as capistrano-rails: the migrations run only
-- when something under migrations_paths differs between the release in
-- current and the new one. The files of the two releases are compared
-- on the server, which holds both whatever the strategy (a git mirror,
-- a copied directory, an intermediary's archive).
-- require("luacap.recipes.migrations").
local q = require("luacap.shell").quote
local M = {}

-- changes_script prints "first" when there is no current release,
-- "changed PATH" for the first path that differs, or "same RELEASE"
-- naming the release in current.
function M.changes_script(paths)
  local cur, rel = current_path(), release_path()
  local lines = { string.format("[ -e %s ] || { echo first; exit 0; }", q(cur)) }
  for _, p in ipairs(paths) do
    local a, b = q(cur .. "/" .. p), q(rel .. "/" .. p)
    -- A path on one side only is a change; on neither, none.
    lines[#lines + 1] = string.format("if [ -e %s ] || [ -e %s ]; then diff -rq -- %s %s >/dev/null 2>&1 || " ..
      "{ printf 'changed %%s\\n' %s; exit 0; }; fi", a, b, a, b, q(p))
  end
  lines[#lines + 1] = string.format("printf 'same %%s\\n' \"$(basename \"$(readlink %s)\")\"", q(cur))
  return table.concat(lines, "; ")
end

-- paths is the migrations_paths setting, a list of paths in the release.
function M.paths()
  local paths = fetch("migrations_paths")
  if type(paths) == "string" then paths = { paths } end
  if type(paths) ~= "table" or #paths == 0 then
    error(string.format("migrations_paths must list paths in the release, such as { \"db\" }, not %s", tostring(paths)), 0)
  end
  return paths
end

-- needed reports, on the host of the on() it is called in, whether the
-- migrations must run, and says why they do or do not.
function M.needed()
  local paths = M.paths()
  local out = capture(M.changes_script(paths), { dry_run = "dry-run" })
  local what, arg = out:match("^(%S+) ?(.*)$")
  if what == "dry-run" then
    info("a dry run compares nothing: the migrations are printed as if something changed")
  elseif what == "same" then
    info(string.format("skipping the migrations (conditionally_migrate): nothing under %s changed since release %s",
      table.concat(paths, ", "), arg))
    return false
  elseif what == "first" then
    info("migrating: no release in current to compare with")
  else
    info(string.format("migrating: %s changed since the release in current", arg ~= "" and arg or "something"))
  end
  return true
end

return M
