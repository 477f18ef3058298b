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
local join = require("luacap.shell").join
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

-- Shell pieces that cost no process: on a host every program a command
-- runs (and every "$(...)") is a fork, and at 16 hosts on one machine
-- those are the deploy's time. Builtins, parameter expansion and tests
-- replace basename, head and cat, and a program that would change nothing
-- is not run.

-- strip_slashes is the assignment that drops every slash that ends
-- shell variable var, as basename(1) does: a link made by hand may end in
-- several ("releases/NAME//").
local function strip_slashes(var)
  return string.format("%s=${%s%%\"${%s##*[!/]}\"}", var, var, var)
end

-- link_name sets shell variable var to the last part of where link
-- points (basename "$(readlink link)"), empty when it is no link.
function M.link_name(var, link)
  return string.format("%s=$(readlink %s 2>/dev/null); %s; %s=${%s##*/}", var, q(link), strip_slashes(var), var, var)
end

-- holds_record is a test that file (never a symbolic link: it could
-- point anywhere) holds exactly the line record, read by the shell's
-- own read.
function M.holds_record(file, record)
  return string.format("[ ! -L %s ] && { IFS= read -r __luacap_l && ! IFS= read -r __luacap_x && [ -z \"$__luacap_x\" ]; } " ..
    "2>/dev/null < %s && [ \"$__luacap_l\" = %s ]", q(file), q(file), q(record))
end

-- read_line sets var to the first line of file, empty when it cannot.
function M.read_line(var, file)
  return string.format("%s=; { IFS= read -r %s || :; } 2>/dev/null < %s", var, var, q(file))
end

-- mkdir_p makes the directories that are missing: no process when all
-- are there. In braces, so that it is one step in an && chain.
function M.mkdir_p(dirs)
  local tests = {}
  for i, d in ipairs(dirs) do tests[i] = "[ -d " .. q(d) .. " ]" end
  return "{ " .. table.concat(tests, " && ") .. " || " .. join({ "mkdir", "-p", "--", unpack(dirs) }) .. "; }"
end

-- remove_present removes, with rm's flags, those of paths that are
-- there (a dangling link too): no process when none is.
function M.remove_present(flags, paths)
  local tests = {}
  for i, p in ipairs(paths) do tests[i] = "[ -e " .. q(p) .. " ] || [ -L " .. q(p) .. " ]" end
  return "if " .. table.concat(tests, " || ") .. "; then " .. join({ "rm", flags, "--", unpack(paths) }) .. "; fi"
end

-- flag_if_file adds letter to $f when release $d holds file.
local function flag_if_file(file, letter)
  return string.format("[ -f \"$d/%s\" ] && f=${f}%s", file, letter)
end

-- release_flags sets $f to the flags of the name $d in releases/.
local function release_flags()
  return table.concat({
    "f=",
    "[ -d \"$d\" ] && [ ! -L \"$d\" ] && f=d",
    flag_if_file("REVISION", "r"),
    flag_if_file(M.LIVE_MARKER, "l"),
    flag_if_file(M.MADE_MARKER, "m"),
    flag_if_file(M.ROLLED_BACK, "x"),
    -- revisions.log decides only for a directory without a mark
    string.format("case $f in d|dr) grep -qF \" deployed as release $d by \" %s 2>/dev/null && f=${f}g;; esac",
      q(deploy_to() .. "/revisions.log")),
  }, "; ")
end

-- list_releases prints a release line for every name in releases/,
-- dangling links included; nothing when there is no releases/.
local function list_releases()
  return string.format("if cd %s 2>/dev/null; then for d in *; do [ -e \"$d\" ] || [ -L \"$d\" ] || continue; %s; " ..
    "printf 'release %%s:%%s\\n' \"$f\" \"$d\"; done; fi", q(releases_path()), release_flags())
end

-- print_current prints the current and target lines, empty without current.
local function print_current()
  return string.format("t=$(readlink %s 2>/dev/null); b=$t; %s; printf 'current %%s\\ntarget %%s\\n' \"${b##*/}\" \"$t\"",
    q(current_path()), strip_slashes("b"))
end

-- state_script prints what is in the host's releases/, and current:
--   release <flags>:<name>   flags: d (a directory), r (REVISION),
--                            l (LIVE_MARKER), m (MADE_MARKER),
--                            x (ROLLED_BACK), g (in revisions.log)
--   current <basename of current's target>
--   target <current's target>
-- One script: the lock runs it in the command that takes the lock, so
-- what it prints is what the host had once this run held the lock.
function M.state_script()
  return list_releases() .. "; " .. print_current()
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
-- It is a prefix, not a command of its own, so that the check and the
-- change it guards happen in one command: no other run comes between.
function M.lock_guard()
  if M.lock_record == nil then return "" end
  local refuse = "{ echo " .. q("the deploy lock here is no longer this run's (deploy:unlock was run?): nothing changed") ..
    " >&2; exit 1; }"
  return string.format("%s || %s; ", M.holds_record(deploy_to() .. "/.luacap.lock", M.lock_record), refuse)
end

-- replace_link points link at target by renaming a new link over it, so
-- that link never is missing; the new link is removed should that fail.
local function replace_link(link, target)
  local tmp = link .. ".luacap-new"
  return string.format("%s && %s || { %s; false; }", join({ "ln", "-sfn", target, tmp }), join({ "mv", "-T", tmp, link }),
    join({ "rm", "-f", tmp }))
end
M.replace_link = replace_link

-- link_current points current at target (a path as readlink printed it)
-- and prints where it pointed before: one command, so that what it
-- prints is what it replaced.
function M.link_current(target)
  local cur = current_path()
  return string.format("{ p=$(readlink %s || true); %s; } && printf '%%s' \"$p\"", q(cur), replace_link(cur, target))
end

-- mark_live writes target's live mark (the run's start, UTC) unless it
-- has one; $new says it wrote it, for the switch to take it back on
-- failure.
local function mark_live(target)
  local mark = q(target .. "/" .. M.LIVE_MARKER)
  return string.format("new=; [ -e %s ] || { printf '%%s\\n' %s > %s && new=1; } || exit 1", mark, q(fetch("started_at")), mark)
end

-- switch_current points current at target atomically, and prints where
-- current pointed before. One command, guarded by the lock: target is
-- marked as gone live first (never a live current without its mark),
-- then current switched; on failure the mark it made is taken back.
-- Its ROLLED_BACK mark goes once it is current again.
function M.switch_current(target)
  local mark = target .. "/" .. M.LIVE_MARKER
  return string.format("%s%s; %s || { [ -z \"$new\" ] || %s; exit 1; }; %s", M.lock_guard(), mark_live(target),
    M.link_current(target), join({ "rm", "-f", mark }), M.remove_present("-f", { target .. "/" .. M.ROLLED_BACK }))
end

-- step_back is rollback's switch to target, marking release from (the
-- one current leaves) as rolled back in the same command: even a
-- rollback cut short never makes from a rollback target again.
function M.step_back(target, from)
  local switch = M.switch_current(target)
  if from == "" or target:match("([^/]*)$") == from then return switch end
  return switch .. " && " .. M.mark_rolled_back(from)
end

-- mark_rolled_back marks release name as one a rollback stepped away from.
function M.mark_rolled_back(name)
  return ": > " .. q(releases_path() .. "/" .. name .. "/" .. M.ROLLED_BACK)
end

-- unmark_rolled_back takes that mark back, when the rollback is undone.
function M.unmark_rolled_back(name)
  return join({ "rm", "-f", releases_path() .. "/" .. name .. "/" .. M.ROLLED_BACK })
end

-- switch_back points current at target again when a switch is undone.
-- It is link_current, kept apart so that what a switch serves with
-- current (assets_shared) is served again with it.
function M.switch_back(target) return M.link_current(target) end

-- unswitch_current undoes a switch to release: current points at
-- previous again (or is removed when there was none), and release loses
-- the mark it got, since it did not stay live.
function M.unswitch_current(release, previous)
  local unmark = join({ "rm", "-f", release .. "/" .. M.LIVE_MARKER })
  if previous == "" then return join({ "rm", "-f", current_path() }) .. " && " .. unmark end
  return M.link_current(previous) .. " && " .. unmark
end

-- remove_unless_current removes release name unless current points at
-- it: one command, so that the release it checks is the one it removes.
function M.remove_unless_current(name)
  return string.format("%s; [ \"$c\" = %s ] || %s", M.link_name("c", current_path()), q(name),
    join({ "rm", "-rf", releases_path() .. "/" .. name }))
end

-- REMOVE_INSIDE removes, of the paths after $1 (the release), those that
-- are there, once it has checked that none leads outside the release when
-- links are followed (its nearest existing parent is checked): when the
-- code makes a linked path's parent a link to somewhere else (public ->
-- /srv/static, say), the rm -rf that replaces the linked path would remove
-- what is there. A path whose last part is empty, "." or ".." (a linked
-- path "./" or "/" is the release itself) would remove the release or its
-- parent. It fails naming such a path, and then removes nothing.
-- Builtins only (cd -P, ${t%/*}) but for one rm, and none when nothing is
-- there: it runs on every host in every deploy.
local REMOVE_INSIDE = [[o=$PWD; cd -P "$1" || exit 1; r=$PWD; shift; for t; do case ${t##*/} in ''|.|..) ]] ..
  [[printf '%s names no path inside the release: nothing is removed\n' "$t" >&2; exit 1 ;; esac; d=${t%/*}; ]] ..
  [[while [ -n "$d" ] && [ ! -e "$d" ]; do d=${d%/*}; done; cd "$o" && cd -P "${d:-/}" || exit 1; case "$PWD/" in "$r"/*) ;; ]] ..
  [[*) printf '%s leads outside the release (a symbolic link in the code?): nothing is removed there\n' "$t" >&2; exit 1 ;; esac; ]] ..
  [[done; cd "$o" || exit 1; for t; do shift; if [ -e "$t" ] || [ -L "$t" ]; then set -- "$@" "$t"; fi; done; ]] ..
  [[[ $# -eq 0 ] || rm -rf -- "$@"]]

-- remove_inside is the command that runs REMOVE_INSIDE on paths in the
-- release rel (each starts with rel .. "/").
function M.remove_inside(rel, paths)
  return "set -- " .. join({ rel, unpack(paths) }) .. "; " .. REMOVE_INSIDE
end

-- log_line appends a line to revisions.log: format (printf's, with a
-- newline added) and its values, which printf never reads as format.
function M.log_line(format, ...)
  return join({ "printf", format .. "\\n", ... }) .. " >> " .. q(deploy_to() .. "/revisions.log")
end

-- refuse_if prints why and fails when the shell test cond holds.
local function refuse_if(cond, why)
  return string.format("if %s; then echo %s >&2; exit 1; fi", cond, q(why))
end

-- remove_new_release removes a release this run made, refusing one that
-- is current or went live: an undo must never take a live release away.
-- The name was free on every host when this run took the lock, so what
-- stands there now is this run's. One command: the checks and the
-- removal see the same current.
function M.remove_new_release(name)
  local rel = releases_path() .. "/" .. name
  return table.concat({
    M.link_name("c", current_path()),
    refuse_if(string.format("[ \"$c\" = %s ]", q(name)), "release " .. name .. " is current here; not removed"),
    refuse_if("[ -e " .. q(rel .. "/" .. M.LIVE_MARKER) .. " ]", "release " .. name .. " went live here; not removed"),
    join({ "rm", "-rf", rel }),
  }, "; ")
end

-- make_release makes the release directory and its REVISION first, so
-- that even a release cut short is known as one (and, never having gone
-- live, is removed by the next cleanup). revision_cmd prints the revision;
-- time_cmd, when there is one, its commit time in epoch seconds, which
-- goes to REVISION_TIME as in Capistrano. It is a part of the strategy's
-- one command, which makes and fills the release without a round trip
-- of its own.
function M.make_release(revision_cmd, time_cmd)
  local rel = release_path()
  local steps = {
    M.mkdir_p({ releases_path() }),
    join({ "mkdir", rel }),
    ": > " .. q(rel .. "/" .. M.MADE_MARKER),
    revision_cmd .. " > " .. q(rel) .. "/REVISION",
  }
  if time_cmd then steps[#steps + 1] = time_cmd .. " > " .. q(rel) .. "/REVISION_TIME" end
  return table.concat(steps, " && ")
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

-- RESOLVE prints the commit $2 names in repository $1, or says plainly
-- that it names none.
local RESOLVE = [[git -C "$1" rev-parse --verify --quiet "$2^{commit}" || ]] ..
  [[{ printf 'branch %s names no commit in the repository %s\n' "$2" "$1" >&2; exit 1; }]]

-- commits are the commits the branch named in each local repository, read
-- once: by "repository\0branch", the repository's path made absolute and
-- its symbolic links resolved, so repo_url and local_repo that name one
-- repository two ways (an absolute path and a relative one, a link and
-- its target) read it once.
local commits = {}

-- local_commit is the commit the branch names in the local repository
-- repo, read the first time it is asked for in this run. What the copy
-- strategy packs, the REVISION it writes and the commit the assets are
-- built from are all this one, though a commit lands in repo while the
-- deploy runs (a CI merge, a developer waiting on --lock-wait).
function M.local_commit(repo)
  local branch = M.branch()
  local key = require("luacap.paths").real(repo) .. "\0" .. branch
  if commits[key] == nil then
    commits[key] = run_locally({ "sh", "-c", RESOLVE, "sh", repo, branch },
      { dry_run = "0000000000000000000000000000000000000000" }):match("^%s*(.-)%s*$")
  end
  return commits[key]
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

-- The cleanup script is one command: it decides on the host what to
-- remove, from what releases/ holds at that moment, under the lock guard;
-- a decision made here from an earlier reading could remove a release
-- that went live since. These are its pieces, each a line of shell.

-- enter_releases goes into releases/ and sets $cur to current's release;
-- without releases/ or current there is nothing to clean up. When current
-- leads into releases/ by a path that does not end in the release's name
-- (releases/NAME/., set by hand), the release is the directory it leads
-- to: the last part of the path would name none, and cleanup would then
-- take the live release for an old one. Builtins only (cd -P).
local function enter_releases()
  return string.format("cd %s 2>/dev/null || exit 0; %s; cd -P . || exit 1; rp=$PWD; " ..
    "if cd -P ../current 2>/dev/null; then [ \"${PWD%%/*}\" != \"$rp\" ] || cur=${PWD##*/}; cd \"$rp\" || exit 1; fi; " ..
    "[ -n \"$cur\" ] || exit 0", q(releases_path()), M.link_name("cur", "../current"))
end

-- is_release_fn defines isrel NAME: a release name (as release_names
-- allows) of a real directory with a REVISION or one of luacap's marks.
local function is_release_fn()
  return string.format("isrel() { case $1 in [A-Za-z0-9]*) ;; *) return 1;; esac; case $1 in *[!A-Za-z0-9._-]*) return 1;; esac; " ..
    "[ -d \"$1\" ] && [ ! -L \"$1\" ] && { [ -f \"$1/REVISION\" ] || [ -f \"$1/%s\" ] || [ -f \"$1/%s\" ]; }; }",
    M.LIVE_MARKER, M.MADE_MARKER)
end

-- went_live_fn defines live NAME, the rules of went_live_by_flags; $past
-- is set once the loop has passed current.
local function went_live_fn()
  return string.format("live() { [ -f \"$1/%s\" ] && return 1; [ -f \"$1/%s\" ] && return 0; [ -f \"$1/%s\" ] && return 1; " ..
    "{ [ -z \"$past\" ] || [ \"$1\" = \"$cur\" ]; } && return 0; grep -qF \" deployed as release $1 by \" ../revisions.log 2>/dev/null; }",
    M.ROLLED_BACK, M.LIVE_MARKER, M.MADE_MARKER)
end

-- count_live sets $good to the live releases up to current.
local function count_live()
  return "good=0; past=; for d in *; do isrel \"$d\" || continue; [ -z \"$past\" ] && live \"$d\" && good=$((good+1)); " ..
    "[ \"$d\" = \"$cur\" ] && past=1; done"
end

-- choose_removals sets "$@" to the oldest live releases before current
-- beyond keep, and every release that never went live but protect.
local function choose_removals(keep, protect)
  return string.format("drop=$((good-%d)); past=; set --; for d in *; do isrel \"$d\" || continue; " ..
    "if [ \"$d\" = \"$cur\" ]; then past=1; elif live \"$d\"; then " ..
    "[ -z \"$past\" ] && [ $drop -gt 0 ] && set -- \"$@\" \"$d\" && drop=$((drop-1)); " ..
    "elif [ \"$d\" != %s ]; then set -- \"$@\" \"$d\"; fi; done", keep, q(protect))
end

-- cleanup_script removes what cleanup does not keep: every release that
-- never went live (except protect), and the oldest live ones up to
-- current beyond keep. It never removes current, nor a live release
-- newer than current (a rollback left it), nor anything in releases/
-- that is not a release. It removes nothing when there is no current,
-- and prints what it removed.
function M.cleanup_script(keep, protect)
  return M.lock_guard() .. table.concat({
    enter_releases(), is_release_fn(), went_live_fn(), count_live(), choose_removals(keep, protect),
    "[ $# -eq 0 ] || { rm -rf \"$@\" && echo \"removed $*\"; }",
  }, "; ")
end

return M
