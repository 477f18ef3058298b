-- Shared by the bundled recipes: what a release is, what each host has,
-- and switching current. require("luacap.recipes.releases").
--
-- A release is a directory in releases/ with a REVISION, or one of
-- luacap's marks. Whether it went live:
--   ROLLED_BACK (a rollback stepped away from it): no;
--   LIVE_MARKER (the switch of current wrote it): yes;
--   MADE_MARKER (luacap made it) without LIVE_MARKER: no, it never did;
--   neither (Capistrano, or an older luacap, made it): yes when it is at
--   or before current, or when revisions.log says it was deployed.
-- Only releases that went live count for cleanup and rollback.
local q = require("luacap.shell").quote
local names = require("luacap.recipes.release_names")
local M = {}

M.LIVE_MARKER = ".luacap-live"
-- ROLLED_BACK marks a release a rollback stepped away from: it went live
-- but is bad, so it is no rollback target and the next cleanup removes it.
M.ROLLED_BACK = ".luacap-rolled-back"
-- MADE_MARKER marks a release this luacap made: without the live marker
-- it never went live, whatever an old revisions.log line says of its name.
M.MADE_MARKER = ".luacap-made"

-- lock_record is the deploy lock's record, once this run holds the lock:
-- commands that change what is live check the lock is still theirs.
M.lock_record = nil

-- In a dry run, every host stands on the second of two releases.
M.DRY_RUN_STATE = "release drl:20000101000001\nrelease drl:20000101000002\ncurrent 20000101000002\n" ..
  "target /var/www/<app>/releases/20000101000002"
M.DRY_RUN_PREVIOUS = "/var/www/<app>/releases/20000101000002"

-- state[host name] is what the host had when this run took the lock:
-- { current = release name or "", target = current's link as readlink
-- prints it, releases = { name = { live = bool } }, names = sorted,
-- taken = every name in releases/ }.
M.state = {}

-- state_script prints what is in the host's releases/, and current:
--   release <flags>:<name>   flags: d (a directory), r (REVISION),
--                            l (LIVE_MARKER), m (MADE_MARKER),
--                            x (ROLLED_BACK), g (in revisions.log)
--   current <basename of current's target>
--   target <current's target>
function M.state_script()
  local log = q(deploy_to() .. "/revisions.log")
  local flag = function(file, f) return string.format("[ -f \"$d/%s\" ] && f=${f}%s; ", file, f) end
  return string.format("if cd %s 2>/dev/null; then for d in *; do [ -e \"$d\" ] || [ -L \"$d\" ] || continue; f=; " ..
    "[ -d \"$d\" ] && [ ! -L \"$d\" ] && f=d; " .. flag("REVISION", "r") .. flag(M.LIVE_MARKER, "l") ..
    flag(M.MADE_MARKER, "m") .. flag(M.ROLLED_BACK, "x") ..
    "grep -qF \" deployed as release $d by \" %s 2>/dev/null && f=${f}g; " ..
    "printf 'release %%s:%%s\\n' \"$f\" \"$d\"; done; fi; t=$(readlink %s 2>/dev/null); " ..
    "printf 'current %%s\\ntarget %%s\\n' \"$(basename \"$t\" 2>/dev/null)\" \"$t\"",
    q(releases_path()), log, q(current_path()))
end

-- went_live_by_flags applies the rules above to one release.
local function went_live_by_flags(flags, name, current)
  local has = function(f) return flags:find(f, 1, true) ~= nil end
  if has("x") then return false end
  if has("l") then return true end
  if has("m") then return false end
  return has("g") or (current ~= "" and name <= current)
end

-- parse_state reads what state_script printed. Names that are not release
-- names, and directories that hold neither a REVISION nor a mark, are not
-- releases: they are never touched, but their names are taken.
function M.parse_state(text)
  local st = { current = "", target = "", releases = {}, names = {}, taken = {} }
  local flagged = {}
  for line in text:gmatch("[^\n]+") do
    local flags, name = line:match("^release (%a*):(.+)$")
    if name then st.taken[name] = true end
    if name and names.valid(name) and flags:find("d", 1, true) and flags:find("[rlmx]") then
      flagged[name] = flags
      st.names[#st.names + 1] = name
    end
    local cur = line:match("^current (.+)$")
    if cur and names.valid(cur) then st.current = cur end
    st.target = line:match("^target (.+)$") or st.target
  end
  table.sort(st.names)
  for name, flags in pairs(flagged) do
    st.releases[name] = { live = went_live_by_flags(flags, name, st.current) }
  end
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
  st.releases[name], st.current, st.target = { live = true }, name, releases_path() .. "/" .. name
end
function M.forget(host) M.state[host.name] = nil end

-- taken reports whether name stands in releases/ on any host read.
function M.taken(name)
  for _, st in pairs(M.state) do
    if st.taken[name] then return true end
  end
  return false
end

-- newest is the newest release name on any of the hosts read, or nil;
-- with like, only among names like(name) accepts.
function M.newest(like)
  local best
  for _, st in pairs(M.state) do
    for _, name in ipairs(st.names) do
      if (like == nil or like(name)) and (best == nil or name > best) then best = name end
    end
  end
  return best
end

-- lock_guard is a command prefix that fails unless the deploy lock is
-- still the one this run took: a run whose lock was removed
-- (deploy:unlock) and taken by another run must not switch or clean up.
function M.lock_guard()
  if M.lock_record == nil then return "" end
  local lock = q(deploy_to() .. "/.luacap.lock")
  return string.format("[ ! -L %s ] && [ \"$(head -c 4096 %s 2>/dev/null)\" = %s ] || " ..
    "{ echo 'the deploy lock here is no longer this run'\\''s (deploy:unlock was run?): nothing changed' >&2; exit 1; }; ",
    lock, lock, q(M.lock_record))
end

-- switch_current points current at target atomically: target is marked
-- as gone live first, then a new link is renamed over the old one, so
-- there is never a moment without current. On failure the mark it made
-- is taken back. It prints where current pointed before.
function M.switch_current(target)
  local mark = q(target .. "/" .. M.LIVE_MARKER)
  return string.format("%snew=; [ -e %s ] || { date -u > %s && new=1; } || exit 1; %s || { [ -z \"$new\" ] || rm -f %s; exit 1; }; rm -f %s",
    M.lock_guard(), mark, mark, M.link_current(target), mark, q(target .. "/" .. M.ROLLED_BACK))
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

-- switch_back points current at target again when a switch is undone.
-- It is link_current, kept apart so that what a switch serves with
-- current (assets_shared) is served again with it.
function M.switch_back(target) return M.link_current(target) end

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
-- live, is removed by the next cleanup). revision_cmd prints the revision;
-- time_cmd, when there is one, its commit time in epoch seconds, which
-- goes to REVISION_TIME as in Capistrano.
function M.make_release(revision_cmd, time_cmd)
  local rel = release_path()
  local time = time_cmd and string.format(" && %s > %s/REVISION_TIME", time_cmd, q(rel)) or ""
  return string.format("mkdir -p %s && mkdir %s && : > %s && %s > %s/REVISION%s", q(releases_path()), q(rel),
    q(rel .. "/" .. M.MADE_MARKER), revision_cmd, q(rel), time)
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
  return string.format(table.concat({
    "%scd %s 2>/dev/null || exit 0; cur=$(basename \"$(readlink ../current)\" 2>/dev/null); [ -n \"$cur\" ] || exit 0",
    "isrel() { case $1 in [A-Za-z0-9]*) ;; *) return 1;; esac; case $1 in *[!A-Za-z0-9._-]*) return 1;; esac; " ..
      "[ -d \"$1\" ] && [ ! -L \"$1\" ] && { [ -f \"$1/REVISION\" ] || [ -f \"$1/%s\" ] || [ -f \"$1/%s\" ]; }; }",
    -- the rules of went_live_by_flags; past is set once current is passed
    "live() { [ -f \"$1/%s\" ] && return 1; [ -f \"$1/%s\" ] && return 0; [ -f \"$1/%s\" ] && return 1; " ..
      "{ [ -z \"$past\" ] || [ \"$1\" = \"$cur\" ]; } && return 0; grep -qF \" deployed as release $1 by \" ../revisions.log 2>/dev/null; }",
    "good=0; past=; for d in *; do isrel \"$d\" || continue; [ -z \"$past\" ] && live \"$d\" && good=$((good+1)); " ..
      "[ \"$d\" = \"$cur\" ] && past=1; done",
    "drop=$((good-%d)); past=; set --; for d in *; do isrel \"$d\" || continue; " ..
      "if [ \"$d\" = \"$cur\" ]; then past=1; elif live \"$d\"; then " ..
      "[ -z \"$past\" ] && [ $drop -gt 0 ] && set -- \"$@\" \"$d\" && drop=$((drop-1)); " ..
      "elif [ \"$d\" != %s ]; then set -- \"$@\" \"$d\"; fi; done",
    "[ $# -eq 0 ] || { rm -rf \"$@\" && echo \"removed $*\"; }",
  }, "; "), M.lock_guard(), q(releases_path()), M.LIVE_MARKER, M.MADE_MARKER,
    M.ROLLED_BACK, M.LIVE_MARKER, M.MADE_MARKER, keep, q(protect))
end

return M
