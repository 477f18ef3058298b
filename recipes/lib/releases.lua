-- Shared by the bundled recipes: the releases on a host, and switching
-- current. require("luacap.recipes.releases").
local q = require("luacap.shell").quote
local M = {}

-- cleanup_script removes, in one command, what cleanup does not keep:
-- every release that is not good (no REVISION, or newer than current)
-- except protect, and the oldest good ones beyond keep. It never removes
-- current, and removes nothing when there is no current. It prints what
-- it removed. Release names sort as they were made.
function M.cleanup_script(keep, protect)
  return string.format(table.concat({
    "cd %s 2>/dev/null || exit 0; cur=$(basename \"$(readlink ../current)\" 2>/dev/null); [ -n \"$cur\" ] || exit 0",
    "good=0; past=; for d in *; do [ -d \"$d\" ] || continue; " ..
      "[ -z \"$past\" ] && [ -f \"$d/REVISION\" ] && good=$((good+1)); [ \"$d\" = \"$cur\" ] && past=1; done",
    "drop=$((good-%d)); past=; set --; for d in *; do [ -d \"$d\" ] || continue; " ..
      "if [ \"$d\" = \"$cur\" ]; then past=1; " ..
      "elif [ -z \"$past\" ] && [ -f \"$d/REVISION\" ]; then [ $drop -gt 0 ] && set -- \"$@\" \"$d\" && drop=$((drop-1)); " ..
      "elif [ \"$d\" != %s ]; then set -- \"$@\" \"$d\"; fi; done",
    "[ $# -eq 0 ] || { rm -rf \"$@\" && echo \"removed $*\"; }",
  }, "; "), q(releases_path()), keep, q(protect))
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
