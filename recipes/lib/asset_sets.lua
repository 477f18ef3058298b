-- The asset sets of assets_shared (use("rails/assets_local")): each
-- release keeps its own set in SNAPSHOT, and the command that switches
-- current serves, in shared/, the set of the release it goes to with the
-- set of the release it left. These are the scripts that keep shared/ and
-- the sets right; require("luacap.recipes.asset_sets").
local q = require("luacap.shell").quote
local releases = require("luacap.recipes.releases")
local M = {}

M.SNAPSHOT = ".luacap-assets"
local SNAPSHOT = M.SNAPSHOT

-- remove_leftovers removes the sets a run cut off may have left beside
-- live, the set shared/ serves.
function M.remove_leftovers(live)
  return "{ " .. releases.remove_present("-rf", { live .. ".luacap-new", live .. ".luacap-old" }) .. "; }"
end

-- own_set copies into dst (a shell word, not there yet) the set that
-- release (a shell word), which kept none, served: its own assets_dir
-- when that is a directory of its own (it was deployed without
-- assets_shared, assets_dir not linked), else what shared/ serves. Through
-- "/.": a link is not copied as a link.
function M.own_set(release, dst)
  local own = release .. "/" .. q(fetch("assets_dir"))
  return string.format("if [ -d %s ] && [ ! -L %s ]; then cp -al %s/. %s; else cp -al %s %s; fi",
    own, own, own, dst, q(shared_path() .. "/" .. fetch("assets_dir") .. "/."), dst)
end

-- drop_manifests removes from dir (a shell word) the files assets_manifests
-- names (shell patterns, * and ? only), in a loop of builtins: rm runs
-- only for a match, and never for a directory (".*" matches "." too).
function M.drop_manifests(dir)
  local words = {}
  for _, p in ipairs(fetch("assets_manifests")) do
    words[#words + 1] = dir .. "/" .. tostring(p):gsub("[^*?]+", q)
  end
  if #words == 0 then return "true" end
  return string.format("{ s=0; for m in %s; do if [ -f \"$m\" ] || [ -L \"$m\" ]; then rm -f -- \"$m\" || s=1; fi; done; [ \"$s\" = 0 ]; }",
    table.concat(words, " "))
end

-- serve_script, run right after current was switched to target, serves in
-- shared/ target's set and, for the requests still in flight, the set of
-- the release current pointed at before ($p, read by the switch), but
-- for its manifests (assets_manifests): Sprockets names each build's
-- .sprockets-manifest-<random>.json and Rails reads the first it finds, so
-- the release left's would make current serve its assets. Built aside
-- from hard links, then swapped in by two renames. A release left
-- that kept no set (deployed before assets_shared) keeps the set it
-- served (own_set) as its own, so that a rollback to it, or an undo of
-- this switch, serves its manifest again. Each program here runs on every
-- host: the leftovers of a cut-off run are removed only when there are
-- any, and the first set copied makes the new directory. A set is copied
-- through its "/.": when shared/'s is a link to where the assets are
-- kept, a copy of the link would let the new set be written through it,
-- over the set the release left serves.
function M.serve_script(target)
  local live = shared_path() .. "/" .. fetch("assets_dir")
  local new, old, snap = q(live .. ".luacap-new"), q(live .. ".luacap-old"), q(target .. "/" .. SNAPSHOT)
  local keep = string.format("{ [ -z \"$p\" ] || [ \"$p\" = %s ] || [ ! -d \"$p\" ] || { %s; }; }",
    q(target), M.own_set('"$p"', '"$p"/' .. SNAPSHOT))
  return string.format("if [ -d %s ]; then %s && " ..
    "{ if [ -n \"$p\" ] && [ \"$p\" != %s ] && [ -d \"$p\"/%s ]; then cp -al \"$p\"/%s/. %s; elif [ -d %s ]; then cp -al %s %s && %s; else mkdir %s; fi; } && " ..
    "%s && cp -alf %s/. %s/ && { [ ! -e %s ] || mv %s %s; } && mv %s %s && rm -rf %s; fi",
    snap, M.remove_leftovers(live),
    q(target), SNAPSHOT, SNAPSHOT, new, q(live), q(live .. "/."), new, keep, new,
    M.drop_manifests(new), snap, new, q(live), q(live), old, new, q(live), old)
end

-- repair_script puts back the set shared/ serves when a run was cut off
-- between the two renames that swap it (a kill -9 there): the set built
-- for current if it was complete, else the one it replaced. The command
-- that takes the lock runs it, so the next run mends it first. deploy:check
-- (before the lock) may have made an empty dir in its place: that counts
-- as missing. A set still there and not empty is kept: the cut came while
-- the new one was being built, and the next switch builds it again.
function M.repair_script()
  local live = q(shared_path() .. "/" .. fetch("assets_dir"))
  local new, old = q(shared_path() .. "/" .. fetch("assets_dir") .. ".luacap-new"),
    q(shared_path() .. "/" .. fetch("assets_dir") .. ".luacap-old")
  return string.format("if [ -d %s ] || [ -d %s ]; then { [ -e %s ] && ! rmdir %s 2>/dev/null; } || " ..
    "{ [ -d %s ] && mv %s %s; } || mv %s %s; fi; true", new, old, live, live, new, new, live, old, live)
end

-- incoming is where, with assets_shared, the new set is rsynced while the
-- strategy sends the code: beside the releases, under a dot name that no
-- listing of releases reads, and moved into the new release once it is
-- made (the strategy's mkdir of the release must be the first).
function M.incoming() return releases_path() .. "/." .. fetch("release_name") .. SNAPSHOT end

-- remove_incoming_script removes what a run cut off left in incoming
-- places, and whatever else has such a name: a link there (to anywhere)
-- would have the rsync write, and delete, through it. rm removes the
-- link, never what it points at. The command that takes the lock runs
-- it: no other run sends while this one holds the lock. Only a match
-- forks.
function M.remove_incoming_script()
  return string.format("for s in %s/.*%s; do if [ -L \"$s\" ] || [ -e \"$s\" ]; then rm -rf -- \"$s\"; fi; done", q(releases_path()), SNAPSHOT)
end

-- restore_script serves the assets of the release in current again, when
-- it kept a snapshot: a copy of links (through its "/.", should an older
-- run have kept a link), swapped in with two renames.
function M.restore_script()
  local snap, live = q(current_path() .. "/" .. SNAPSHOT), shared_path() .. "/" .. fetch("assets_dir")
  local new, old = q(live .. ".luacap-new"), q(live .. ".luacap-old")
  return string.format("if [ -d %s ]; then %s && cp -al %s %s && { [ ! -e %s ] || mv %s %s; } && mv %s %s && rm -rf %s; fi",
    snap, M.remove_leftovers(live), q(current_path() .. "/" .. SNAPSHOT .. "/."), new, q(live), q(live), old, new, q(live), old)
end

-- moved_script moves the set sent to incoming() into target, the new release's,
-- in place of whatever the code has there (mv -T refuses a directory that
-- is not empty; rm removes a link, not what it points at).
function M.moved_script(target)
  local to = q(target)
  return string.format("{ { [ ! -e %s ] && [ ! -L %s ]; } || rm -rf -- %s; } && mv -T -- %s %s", to, to, to, q(M.incoming()), to)
end

return M
