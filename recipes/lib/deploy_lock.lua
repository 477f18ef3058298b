-- The deploy lock's scripts: require("luacap.recipes.deploy_lock").
-- The lock is the file deploy_to/.luacap.lock, holding its record (who,
-- from where, what, since when). The record is written first and the lock
-- taken by hard-linking it into place, which is atomic and fails when a
-- lock exists: there is never a lock without its record, and a lock whose
-- record cannot be read is still held. Each script is one command, since
-- what it prints or does depends on the lock as it is at that moment.
local q = require("luacap.shell").quote
local releases = require("luacap.recipes.releases")
local M = {}

function M.path() return deploy_to() .. "/.luacap.lock" end

-- one_line is text as a lock record: one line, each control character
-- (a new line in a user name, say) a space. The guard and the release
-- read the record back as one line, and show_holder shows one line.
function M.one_line(text) return (text:gsub("%c", " ")) end

-- show_holder prints the lock's record, at most a line of it; a symbolic
-- link is not followed (it could point anywhere). An old luacap's lock is
-- a directory, with the record in info.
function M.show_holder()
  local lock = M.path()
  local first_line = function(file) return "head -c 1000 " .. q(file) .. " 2>/dev/null | head -n 1" end
  return string.format("if [ -L %s ]; then echo 'someone (the lock is a symbolic link)'; elif [ -d %s ]; then %s; else %s; fi",
    q(lock), q(lock), first_line(lock .. "/info"), first_line(lock))
end

-- write_record writes record beside the lock, in a file of this shell's
-- own ($$), and takes it back should that fail.
local function write_record(record, tmp)
  return string.format("%s && printf '%%s\\n' %s > %s || { rm -f %s; exit 1; }", releases.mkdir_p({ deploy_to() }),
    q(record), tmp, tmp)
end

-- try_script takes the lock if it is free and prints "locked" and the
-- host's state (releases.state_script), or prints "held" and the
-- holder's record. An old luacap's lock (a directory) is held too.
function M.try_script(record)
  local lock, tmp = q(M.path()), q(M.path() .. ".") .. "$$"
  local take = string.format("[ ! -d %s ] && ln -T %s %s 2>/dev/null", lock, tmp, lock)
  return string.format("%s; if %s; then rm -f %s; echo locked; %s; else rm -f %s; printf 'held '; %s; fi",
    write_record(record, tmp), take, tmp, releases.state_script(), tmp, M.show_holder())
end

-- release_script removes the lock when it is still the one record made.
function M.release_script(record)
  return string.format("! { %s; } || rm -f %s", releases.holds_record(M.path(), record), q(M.path()))
end

-- unlock_script removes whatever lock there is, printing its holder
-- first, or prints "none" when there is none.
function M.unlock_script()
  local lock = q(M.path())
  return string.format("if [ ! -e %s ] && [ ! -L %s ]; then echo none; else %s; rm -rf %s; fi", lock, lock, M.show_holder(), lock)
end

return M
