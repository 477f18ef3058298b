-- Shared by the bundled recipes: what a release is, what each host has,
-- and switching current. require("luacap.recipes.releases").
--
-- A release is a directory in releases/ with a REVISION (every strategy
-- writes it first) or a LIVE_MARKER. It went live when the switch of
-- current marked it (LIVE_MARKER), or when revisions.log says it was
-- deployed (releases Capistrano made). Only releases that went live, and
-- that no rollback stepped away from (ROLLED_BACK), count for cleanup and
-- rollback.
local q = require("luacap.shell").quote
local names = require("luacap.recipes.release_names")
local M = {}

M.LIVE_MARKER = ".luacap-live"
-- ROLLED_BACK marks a release a rollback stepped away from: it went live
-- but is bad, so it is no rollback target and the next cleanup removes it.
M.ROLLED_BACK = ".luacap-rolled-back"

-- In a dry run, every host stands on the second of two releases.
M.DRY_RUN_STATE = "release rl:20000101000001\nrelease rl:20000101000002\ncurrent 20000101000002"
M.DRY_RUN_PREVIOUS = "/var/www/<app>/releases/20000101000002"

-- state[host name] is what the host had when this run took the lock:
-- { current = name or "", releases = { name = { live = bool } }, names = sorted }.
M.state = {}

-- state_script prints the host's releases and current, one per line:
--   release <flags>:<name>   flags: r (has REVISION), l (went live),
--                            x (rolled back from)
--   current <name>
function M.state_script()
  local log = q(deploy_to() .. "/revisions.log")
  return string.format("cd %s 2>/dev/null && for d in *; do [ -d \"$d\" ] || continue; f=; " ..
    "[ -f \"$d/REVISION\" ] && f=r; " ..
    "if [ -f \"$d/%s\" ]; then f=${f}x; elif [ -f \"$d/%s\" ] || grep -qF \" deployed as release $d by \" %s 2>/dev/null; then f=${f}l; fi; " ..
    "printf 'release %%s:%%s\\n' \"$f\" \"$d\"; done; " ..
    "printf 'current %%s\\n' \"$(basename \"$(readlink %s 2>/dev/null)\" 2>/dev/null)\"",
    q(releases_path()), M.ROLLED_BACK, M.LIVE_MARKER, log, q(current_path()))
end

-- parse_state reads what state_script printed. Directories whose names
-- are not release names, or that hold neither a REVISION nor the live
-- marker, are not releases: they are left out, and never touched.
function M.parse_state(text)
  local st = { current = "", releases = {}, names = {} }
  for line in text:gmatch("[^\n]+") do
    local flags, name = line:match("^release (%a*):(.+)$")
    if name and names.valid(name) and flags:find("[rl]") then
      st.releases[name] = { live = flags:find("l", 1, true) ~= nil }
      st.names[#st.names + 1] = name
    end
    local cur = line:match("^current (.+)$")
    if cur and names.valid(cur) then st.current = cur end
  end
  table.sort(st.names)
  return st
end

-- remember records a host's state, as the lock read it.
function M.remember(host, text) M.state[host.name] = M.parse_state(text) end

-- state_of returns a host's state: the lock's reading, or a fresh one
-- when this run did not take the lock (inside on()).
function M.state_of(host, dry_run)
  if M.state[host.name] == nil then M.remember(host, capture(M.state_script(), { dry_run = dry_run })) end
  return M.state[host.name]
end

-- went_live records, for the rest of this run, that a host's current is
-- now release name; forget drops what was read, to be read again.
function M.went_live(host, name)
  local st = M.state[host.name]
  if st == nil then return end
  if st.releases[name] == nil then
    st.names[#st.names + 1] = name
    table.sort(st.names)
  end
  st.releases[name], st.current = { live = true }, name
end
function M.forget(host) M.state[host.name] = nil end

-- newest is the newest release name on any of the hosts read, or nil.
function M.newest()
  local best
  for _, st in pairs(M.state) do
    local last = st.names[#st.names]
    if last and (best == nil or last > best) then best = last end
  end
  return best
end

-- switch_current points current at target atomically: target is marked
-- as gone live first, then a new link is renamed over the old one, so
-- there is never a moment without current. On failure the mark it made
-- is taken back. It prints where current pointed before.
function M.switch_current(target)
  local mark = q(target .. "/" .. M.LIVE_MARKER)
  return string.format("new=; [ -e %s ] || { date -u > %s && new=1; } || exit 1; %s || { [ -z \"$new\" ] || rm -f %s; exit 1; }; rm -f %s",
    mark, mark, M.link_current(target), mark, q(target .. "/" .. M.ROLLED_BACK))
end

-- mark_rolled_back marks release name as one a rollback stepped away from.
function M.mark_rolled_back(name)
  return ": > " .. q(releases_path() .. "/" .. name .. "/" .. M.ROLLED_BACK)
end

-- unmark_rolled_back takes that mark back, when the rollback is undone.
function M.unmark_rolled_back(name)
  return "rm -f " .. q(releases_path() .. "/" .. name .. "/" .. M.ROLLED_BACK)
end

-- link_current points current at target (a path as readlink printed it)
-- by renaming a new link over the old one, and prints where it pointed.
function M.link_current(target)
  local cur = current_path()
  local tmp = cur .. ".luacap-new"
  return string.format("{ p=$(readlink %s || true); ln -sfn %s %s && mv -T %s %s || { rm -f %s; false; }; } && printf '%%s' \"$p\"",
    q(cur), q(target), q(tmp), q(tmp), q(cur), q(tmp))
end

-- unswitch_current undoes a switch to release: current points at
-- previous again (or is removed when there was none), and release loses
-- the mark it got, since it did not stay live.
function M.unswitch_current(release, previous)
  local unmark = "rm -f " .. q(release .. "/" .. M.LIVE_MARKER)
  if previous == "" then return "rm -f " .. q(current_path()) .. " && " .. unmark end
  return M.link_current(previous) .. " && " .. unmark
end

-- remove_new_release removes a release this run made, refusing one that
-- is current or went live: an undo must never take a live release away.
-- The name was free on every host when this run took the lock, so what
-- stands there now is this run's.
function M.remove_new_release(name)
  local rel = releases_path() .. "/" .. name
  return string.format("if [ \"$(basename \"$(readlink %s 2>/dev/null)\" 2>/dev/null)\" = %s ]; then " ..
    "printf 'release %%s is current here; not removed\\n' %s >&2; exit 1; fi; " ..
    "if [ -e %s ]; then printf 'release %%s went live here; not removed\\n' %s >&2; exit 1; fi; rm -rf %s",
    q(current_path()), q(name), q(name), q(rel .. "/" .. M.LIVE_MARKER), q(name), q(rel))
end

-- make_release makes the release directory and its REVISION first, so
-- that even a release cut short is known as one (and, never having gone
-- live, is removed by the next cleanup). revision_cmd prints the revision.
function M.make_release(revision_cmd)
  local rel = release_path()
  return string.format("mkdir -p %s && mkdir %s && %s > %s/REVISION", q(releases_path()), q(rel), revision_cmd, q(rel))
end

-- undo_new_release registers, for this host, the removal of the release
-- this run makes, should the transaction fail.
function M.undo_new_release()
  local name = fetch("release_name")
  on_rollback(M.remove_new_release(name), { hint = "release " .. name ..
    " may be left in releases/; it never went live, and the next deploy's cleanup removes it" })
end

-- branch is the branch setting (a branch, tag or commit), which git
-- reads as an argument: one starting with "-" would be an option, and
-- no ref or commit does, so it is refused before anything changes.
function M.branch()
  local b = tostring(fetch("branch"))
  if b == "" or b:sub(1, 1) == "-" then
    error(string.format("branch must name a branch, tag or commit, not %q", b), 0)
  end
  return b
end

-- whole is the numeric setting name, a whole number of at least least,
-- checked where it is read, before anything changes.
function M.whole(name, least)
  local v = fetch(name)
  local n = tonumber(v)
  if type(v) == "boolean" or n == nil or n < least or n ~= math.floor(n) or n == math.huge then
    error(string.format("%s must be a whole number of at least %d, not %q", name, least, tostring(v)), 0)
  end
  return n
end

-- keep_releases is the keep_releases setting, a whole number of at least
-- 1; deploy:check reads it too, so a bad value stops a deploy before it
-- changes anything.
function M.keep_releases() return M.whole("keep_releases", 1) end

-- cleanup_script removes, in one command, what cleanup does not keep:
-- every release that never went live (except protect), and the oldest
-- live ones up to current beyond keep. It never removes current, nor a
-- live release newer than current (a rollback left it), nor anything in
-- releases/ that is not a release. It removes nothing when there is no
-- current, and prints what it removed.
function M.cleanup_script(keep, protect)
  local live = string.format("{ [ ! -f \"$d/%s\" ] && { [ -f \"$d/%s\" ] || grep -qF \" deployed as release $d by \" ../revisions.log 2>/dev/null; }; }",
    M.ROLLED_BACK, M.LIVE_MARKER)
  return string.format(table.concat({
    "cd %s 2>/dev/null || exit 0; cur=$(basename \"$(readlink ../current)\" 2>/dev/null); [ -n \"$cur\" ] || exit 0",
    "isrel() { case $1 in [A-Za-z0-9]*) ;; *) return 1;; esac; case $1 in *[!A-Za-z0-9._-]*) return 1;; esac; " ..
      "[ -d \"$1\" ] && { [ -f \"$1/REVISION\" ] || [ -f \"$1/%s\" ]; }; }",
    "good=0; past=; for d in *; do isrel \"$d\" || continue; [ -z \"$past\" ] && %s && good=$((good+1)); " ..
      "[ \"$d\" = \"$cur\" ] && past=1; done",
    "drop=$((good-%d)); past=; set --; for d in *; do isrel \"$d\" || continue; " ..
      "if [ \"$d\" = \"$cur\" ]; then past=1; elif %s; then " ..
      "[ -z \"$past\" ] && [ $drop -gt 0 ] && set -- \"$@\" \"$d\" && drop=$((drop-1)); " ..
      "elif [ \"$d\" != %s ]; then set -- \"$@\" \"$d\"; fi; done",
    "[ $# -eq 0 ] || { rm -rf \"$@\" && echo \"removed $*\"; }",
  }, "; "), q(releases_path()), M.LIVE_MARKER, live, keep, live, q(protect))
end

return M
