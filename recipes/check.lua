-- deploy:check finds what would make a deploy fail, on every host at
-- once, without changing anything.
local q = require("luacap.shell").quote
local releases = require("luacap.recipes.releases")

-- report prints one problem. The value is an argument of printf, never
-- part of its format or of the script, so no value can run as a command.
local function report(format, value) return "printf " .. q(format .. "\\n") .. " " .. q(value) end

-- problems is a shell script that prints one line per problem and then
-- fails when there was any.
local function problems()
  local dir = q(deploy_to())
  local lines = {
    string.format("if [ -d %s ]; then [ -w %s ] || %s; else [ -w \"$(dirname %s)\" ] || %s; fi", dir, dir,
      report("%s is not writable", deploy_to()), dir,
      report("cannot create %s: its parent is missing or not writable", deploy_to())),
  }
  for _, f in ipairs(fetch("linked_files")) do
    local p = shared_path() .. "/" .. f
    lines[#lines + 1] = string.format("[ -f %s ] || %s", q(p), report("linked file %s does not exist; upload it before deploying", p))
  end
  for _, d in ipairs(fetch("linked_dirs")) do
    local p = shared_path() .. "/" .. d
    lines[#lines + 1] = string.format("[ ! -e %s ] || [ -d %s ] || %s", q(p), q(p), report("linked dir %s exists but is not a directory", p))
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
  desc("Checks directories, linked files and repository access on every host, changing nothing")
  task("check", { pipelined = true }, function()
    releases.keep_releases()
    releases.whole("lock_wait", 0)
    releases.branch()
    if fetch("deploy_via") == "copy" then invoke("deploy:check:copy_source") end
    local script = problems()
    on(release_roles(), function() execute(script) end)
  end)

  desc("Checks that the copy strategy has something to send")
  task("check:copy_source", function()
    local source = fetch("copy_source", nil)
    if source then
      run_locally({ "sh", "-c", "test -d \"$1\" || { printf 'copy_source %s is not a directory\\n' \"$1\" >&2; exit 1; }", "sh", source })
    else
      run_locally({ "git", "-C", fetch("repo_url", "."), "rev-parse", "--verify", releases.branch() .. "^{commit}" })
    end
  end)
end)
