-- Shared by the bundled recipes: the releases on a host, and switching
-- current. require("luacap.recipes.releases").
local q = require("luacap.shell").quote
local M = {}

-- listing_script lists "ok NAME" (has REVISION) or "bad NAME" for each
-- release, then "current NAME".
function M.listing_script()
  return string.format("cd %s 2>/dev/null || exit 0; for d in *; do [ -d \"$d\" ] || continue; " ..
    "if [ -f \"$d/REVISION\" ]; then echo \"ok $d\"; else echo \"bad $d\"; fi; done; " ..
    "echo \"current $(basename \"$(readlink ../current)\" 2>/dev/null)\"", q(releases_path()))
end

-- read parses that listing: good releases (sorted, at most up to
-- current: newer ones never went live), leftovers, and current.
function M.read(listing)
  local ok, bad, current = {}, {}, nil
  for kind, name in listing:gmatch("(%S+) ?(%S*)") do
    if kind == "current" then current = name ~= "" and name or nil
    elseif kind == "ok" then ok[#ok + 1] = name
    elseif kind == "bad" then bad[#bad + 1] = name end
  end
  table.sort(ok)
  local good = {}
  for _, name in ipairs(ok) do
    if current ~= nil and name <= current then good[#good + 1] = name
    elseif name ~= current then bad[#bad + 1] = name end
  end
  return good, bad, current
end

-- step_back_script points current at the good release before it and
-- prints "from CURRENT to PREVIOUS", or "none CURRENT" when there is none
-- and nothing changed: the listing and the switch in one command. Release
-- names sort as they were made; a good release has a REVISION.
function M.step_back_script()
  local rel, cur, tmp = q(releases_path()), q(current_path()), q(current_path() .. ".luacap-new")
  return string.format("cd %s 2>/dev/null || { echo none; exit 0; }; cur=$(basename \"$(readlink ../current)\" 2>/dev/null); " ..
    "[ -n \"$cur\" ] || { echo none; exit 0; }; prev=; " ..
    "for d in *; do [ \"$d\" = \"$cur\" ] && break; [ -f \"$d/REVISION\" ] && prev=$d; done; " ..
    "if [ -z \"$prev\" ]; then echo \"none $cur\"; exit 0; fi; " ..
    "ln -sfn %s/\"$prev\" %s && mv -T %s %s || { rm -f %s; exit 1; }; echo \"from $cur to $prev\"",
    rel, rel, tmp, tmp, cur, tmp)
end

-- switch_current points current at target atomically: a new link renamed over
-- the old one, so there is never a moment without current. It prints
-- where current pointed before.
function M.switch_current(target)
  local cur = current_path()
  local tmp = cur .. ".luacap-new"
  return string.format("p=$(readlink %s || true); ln -sfn %s %s && mv -T %s %s || { rm -f %s; exit 1; }; printf '%%s' \"$p\"",
    q(cur), q(target), q(tmp), q(tmp), q(cur), q(tmp))
end

return M
