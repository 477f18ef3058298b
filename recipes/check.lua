-- deploy:check makes the layout a deploy needs and finds what would make
-- it fail, on every host at once, in one command per host. As
-- Capistrano's deploy:check, it creates releases/, shared/, the linked
-- dirs and the directories of the linked files in shared/, so that on a
-- fresh server the only thing left to do is upload the linked files.
local q = require("luacap.shell").quote
local releases = require("luacap.recipes.releases")

-- report prints one problem. The values are arguments of printf, never
-- part of its format or of the script, so no value can run as a command.
local function report(format, ...)
  local args = {}
  for i, v in ipairs({ ... }) do args[i] = q(v) end
  return "printf " .. q(format .. "\\n") .. " " .. table.concat(args, " ")
end

local function dirname(p) return p:match("^(.*)/[^/]*$") end

-- make_dir creates a directory of the layout unless something else
-- stands there, which it reports instead: a deploy would fail on it.
-- One that is there costs no mkdir: a deploy checks every host each time.
local function make_dir(p, what)
  return string.format("if [ -e %s ] && [ ! -d %s ]; then %s; elif [ ! -d %s ]; then mkdir -p -- %s 2>/dev/null || %s; fi", q(p),
    q(p), report(what .. " %s exists but is not a directory", p), q(p), q(p), report("cannot create %s", p))
end

-- upload_hint is the command that puts a linked file where the host
-- expects it, from the same path in the app here.
local function upload_hint(host, file, remote)
  if host.transport == "local" then return "cp " .. q(file) .. " " .. q(remote) end
  local address, port = ssh_address(host)
  return "scp " .. (port ~= 22 and ("-P " .. port .. " ") or "") .. q(file) .. " " .. q(address .. ":" .. remote)
end

-- layout creates the directories, once deploy_to can hold them: when it
-- cannot, the first line has said so already.
local function layout()
  local dir, steps, seen = q(deploy_to()), {}, { [shared_path()] = true }
  for _, d in ipairs(fetch("linked_dirs")) do
    local p = shared_path() .. "/" .. d
    seen[p] = true
    steps[#steps + 1] = make_dir(p, "linked dir")
  end
  for _, f in ipairs(fetch("linked_files")) do
    local p = dirname(shared_path() .. "/" .. f)
    if not seen[p] then
      seen[p] = true
      steps[#steps + 1] = make_dir(p, "the directory of linked file")
    end
  end
  return string.format("if [ -d %s ] && [ -w %s ] || mkdir -p -- %s 2>/dev/null; then\n%s\n%s\nif [ -d %s ]; then\n%s\nfi\nfi",
    dir, dir, dir, make_dir(releases_path(), "releases dir"), make_dir(shared_path(), "shared dir"), q(shared_path()),
    table.concat(steps, "\n"))
end

-- problems is a shell script for host that makes the layout, prints one
-- line per problem and then fails when there was any. One command, not a
-- step each: steps would stop at the first problem, and the user is told
-- of every one at once.
local function problems(host)
  local dir = q(deploy_to())
  local lines = {
    string.format("if [ -d %s ]; then [ -w %s ] || %s; else [ -w \"$(dirname %s)\" ] || %s; fi", dir, dir,
      report("%s is not writable", deploy_to()), dir,
      report("cannot create %s: its parent is missing or not writable", deploy_to())),
    layout(),
  }
  for _, f in ipairs(fetch("linked_files")) do
    local p = shared_path() .. "/" .. f
    lines[#lines + 1] = string.format("[ -f %s ] || if [ -e %s ]; then %s; else %s; fi", q(p), q(p),
      report("linked file %s is not a regular file", p),
      report("linked file %s is missing; upload it: %s", p, upload_hint(host, f, p)))
  end
  if fetch("deploy_via") == "remote_cache" then
    local repo = fetch("repo_url")
    lines[#lines + 1] = string.format("git ls-remote --heads -- %s >/dev/null 2>&1 || %s", q(repo),
      report("cannot read the repository %s (git ls-remote failed)", repo))
  end
  return "problems=$(\n" .. table.concat(lines, "\n") .. "\n)\n" ..
    "[ -z \"$problems\" ] || { printf 'deploy:check found problems:\\n%s\\n' \"$problems\" | sed '2,$s/^/  /' >&2; exit 1; }"
end

namespace("deploy", function()
  -- Pipelined: the deploy's next step (the lock) reads its outcome, so
  -- checking costs no round trip of its own.
  desc("Creates releases/, shared/ and the linked dirs; checks linked files and repository access on every host")
  task("check", { pipelined = true }, function()
    releases.keep_releases()
    releases.whole("lock_wait", 0)
    releases.branch()
    if fetch("deploy_via") == "copy" then invoke("deploy:check:copy_source") end
    on(release_roles(), function(host) execute(problems(host)) end)
  end)

  desc("Checks that the copy strategy has something to send")
  task("check:copy_source", function()
    local source = fetch("copy_source", nil)
    if source then
      run_locally({ "sh", "-c", "test -d \"$1\" || { printf 'copy_source %s is not a directory\\n' \"$1\" >&2; exit 1; }", "sh", source })
    else
      releases.local_commit(require("luacap.paths").local_path(fetch("repo_url", ".")))
    end
  end)
end)
