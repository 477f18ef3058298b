-- The luacap prelude: the one place every DSL global is set. Go functions
-- arrive in `raw` (never globals themselves); `wraps` names the globals
-- that are Go functions, as they are ("plain") or raising at the caller's
-- line ("checked"): the DSL table in runtime/engine/verbs.go lists them
-- all. Verbs that run commands are wrapped here so that a failure is
-- raised at the line of the user's call and so that, inside on(), they
-- can yield to the scheduler.
local raw, wraps = ...
local shell = require("luacap.shell")
local co_create, co_resume, co_yield, co_status = coroutine.create, coroutine.resume, coroutine.yield, coroutine.status
local unpack, select, error, type, tostring = unpack, select, error, type, tostring

-- pcall and xpcall that commands may yield through. gopher-lua's own
-- pcall breaks when a coroutine yields inside it, so run f in a coroutine
-- and pass its yields on to the scheduler. The body is a Lua function
-- that calls f, because a Go function (require, tostring, use) cannot be
-- a coroutine's body: it would return false whatever it did.
local CALL_AT = "luacap/prelude.lua:" .. debug.getinfo(1, "l").currentline + 1 .. ": "
local function body(f, ...) return f(...) end
-- unplaced drops the position of body's line from an error raised by
-- calling f: the user's pcall(f) is where f was called.
local function unplaced(msg)
  if type(msg) == "string" and msg:sub(1, #CALL_AT) == CALL_AT then return msg:sub(#CALL_AT + 1) end
  return msg
end
-- caught tells the engine a pcall caught what was raised: a verb's
-- failure it kept is no longer the one a task or host fails with.
local caught = raw.caught
local function pass(co, ok, ...)
  if not ok then
    caught()
    return false, unplaced((...))
  end
  if co_status(co) == "dead" then return true, ... end
  return pass(co, co_resume(co, co_yield(...)))
end
function pcall(f, ...)
  local co = co_create(body)
  return pass(co, co_resume(co, f, ...))
end
local function handled(handler, ok, ...)
  if not ok then return false, handler((...)) end
  return true, ...
end
function xpcall(f, handler, ...) return handled(handler, pcall(f, ...)) end

-- checked turns a raw function's (ok, results...) into results, raising
-- the message at the caller's line when ok is false. (gopher-lua counts
-- error levels one higher than PUC Lua: 3 is the wrapper's caller.) A
-- level of 0 adds no position, for messages that carry their own.
local CALLER = 3
local function checked(f, level)
  level = level or CALLER
  return function(...)
    local r = { f(...) }
    if not r[1] then error(r[2], level) end
    return unpack(r, 2, table.maxn(r))
  end
end

-- Variables ------------------------------------------------------------

-- Capistrano's layout names, read with fetch as well as called:
-- fetch("current_path") is current_path(), whatever the Deployfile
-- redefined, so the two never disagree; set() refuses them.
local derived = { current_path = true, release_path = true, shared_path = true, releases_path = true, repo_path = true }

-- secret_value registers value as a secret, printed as [secret]
-- everywhere; a lazy value is registered when it is computed.
local function secret_value(name, value)
  if type(value) == "function" then
    return function(...)
      local v = value(...)
      if type(v) == "string" or type(v) == "number" then raw.secret(tostring(v)) end
      return v
    end
  end
  if type(value) ~= "string" and type(value) ~= "number" then
    error(string.format("set(%q, ..., { secret = true }): a secret is a string, not a %s", name, type(value)), CALLER + 1)
  end
  raw.secret(tostring(value))
  return value
end

-- set(name, value [, { secret = true }]).
function set(name, value, opts)
  if type(name) ~= "string" then
    local shown = (type(name) == "number" or type(name) == "boolean") and " " .. tostring(name) or ""
    error(string.format("set(): the name must be a string, not the %s%s", type(name), shown), CALLER)
  end
  if opts ~= nil then
    if type(opts) ~= "table" then error(string.format("set(%q): the options must be a table, like { secret = true }", name), CALLER) end
    for k in pairs(opts) do
      if k ~= "secret" then error(string.format("set(%q): %q is not an option; the option is secret", name, tostring(k)), CALLER) end
    end
    if opts.secret then value = secret_value(name, value) end
  end
  if derived[name] then
    error(string.format("set(%q): %s follows deploy_to (release_path also release_name); set those instead", name, name), CALLER)
  end
  raw.set(name, value)
end

-- env_secret(var) is the environment variable var, a secret: printed as
-- [secret] everywhere. It fails naming var when var is unset or empty.
function env_secret(var)
  if type(var) ~= "string" then error("env_secret(): the variable's name must be a string", CALLER) end
  local v = os.getenv(var)
  if v == nil or v == "" then
    error(string.format("the environment variable %s is not set; export %s before running luacap", var, var), CALLER)
  end
  raw.secret(v)
  return v
end

-- relocated moves an error positioned in this prelude to the line of the
-- user's call; an error from the user's own code keeps its position.
local function relocated(msg)
  local rest = type(msg) == "string" and msg:match("^luacap/prelude%.lua:%d+: (.*)$")
  if rest then return rest, CALLER end
  return msg, 0
end

-- set_if_empty(name, value) sets a default that a value set earlier, in
-- the Deployfile before use(), or with -s, keeps.
function set_if_empty(name, value)
  if not raw.var_has(name) then set(name, value) end
end

function fetch(name, ...)
  if derived[name] and type(_G[name]) == "function" then return _G[name]() end
  local found, value, lazy = raw.var_get(name)
  if not found then
    if select("#", ...) > 0 then return (...) end
    error(string.format("variable %q is not set; set it with set(%q, ...) or pass -s %s=VALUE", name, name, name), CALLER)
  end
  if not lazy then return value end
  local ok, msg = raw.var_begin(name)
  if not ok then error(msg, CALLER) end
  local done, result = pcall(value)
  if not done then
    raw.var_abandon(name)
    local msg, level = relocated(result)
    error(msg, level)
  end
  return raw.var_cache(name, result)
end

function append(name, ...)
  local list = fetch(name, {})
  if type(list) ~= "table" then error(string.format("append(%q): the variable is a %s, not a list", name, type(list)), CALLER) end
  local copy = {}
  for _, v in ipairs(list) do copy[#copy + 1] = v end
  for _, v in ipairs({ ... }) do copy[#copy + 1] = v end
  set(name, copy)
end

function remove(name, ...)
  local list = fetch(name, {})
  if type(list) ~= "table" then error(string.format("remove(%q): the variable is a %s, not a list", name, type(list)), CALLER) end
  local drop = {}
  for _, v in ipairs({ ... }) do drop[v] = true end
  local kept = {}
  for _, v in ipairs(list) do if not drop[v] then kept[#kept + 1] = v end end
  set(name, kept)
end

function ask(name, prompt, opts)
  opts = opts or {}
  for k in pairs(opts) do
    if k ~= "echo" and k ~= "default" then error(string.format("ask(%q): %q is not an option; the options are echo, default", name, k), CALLER) end
  end
  local default = opts.default ~= nil and tostring(opts.default) or nil
  -- An answer typed without echo is a secret; so is its default then.
  set(name, function()
    local answer = checked(raw.prompt)(name, prompt, opts.echo ~= false, default)
    if answer == "" and opts.default ~= nil then return opts.default end
    return answer
  end, { secret = opts.echo == false })
end

-- Paths ------------------------------------------------------------------
set("release_name", raw.release_name)
set("started_at", raw.started_at)
set("local_machine", raw.local_machine) -- this machine's name, and luacap's pid: the lock records them
set("luacap_pid", raw.luacap_pid)
set("keep_releases", 5)
set("deploy_to", function() return "/var/www/" .. fetch("application") end)

-- deploy_to is a directory on the servers: a relative one is refused.
local remote_dir = require("luacap.paths").remote_dir
function deploy_to()
  local dir, err = remote_dir("deploy_to", fetch("deploy_to"))
  if dir == nil then error(err, 0) end
  return dir
end
function releases_path() return deploy_to() .. "/releases" end
function shared_path() return deploy_to() .. "/shared" end
function current_path() return deploy_to() .. "/current" end
function release_path() return releases_path() .. "/" .. fetch("release_name") end
function repo_path() return deploy_to() .. "/repo" end

-- Capistrano's revisions, read on first fetch (at task level, on the
-- task's first host) and then kept for the run, so nothing reads them
-- unless a recipe asks. current_revision is the
-- REVISION this run's release holds, or current's when the run made no
-- release (a rollback, or before deploy:updating); previous_revision is
-- that of the newest release before this run's. nil when there is none.
local function nonempty(s) if s ~= "" then return s end end
set("current_revision", function()
  local rel, cur = shell.quote(release_path() .. "/REVISION"), shell.quote(current_path() .. "/REVISION")
  return nonempty(capture("cat " .. rel .. " 2>/dev/null || cat " .. cur .. " 2>/dev/null || true"))
end)
-- current_revision_time is the REVISION_TIME beside that REVISION: the
-- commit's time in epoch seconds; nil for a directory copy, which has none.
set("current_revision_time", function()
  local rel, cur = shell.quote(release_path()), shell.quote(current_path())
  return nonempty(capture("{ if [ -f " .. rel .. "/REVISION ]; then cat " .. rel .. "/REVISION_TIME; else cat " .. cur ..
    "/REVISION_TIME; fi; } 2>/dev/null || true"))
end)
set("previous_revision", function()
  local listing = capture("for d in " .. shell.quote(releases_path()) .. "/*/; do [ -f \"$d/REVISION\" ] && " ..
    "printf '%s %s\\n' \"$(basename \"$d\")\" \"$(head -n 1 \"$d/REVISION\")\"; done; true")
  local this, best, revision = tostring(fetch("release_name")), nil, nil
  for line in listing:gmatch("[^\n]+") do
    local name, rev = line:match("^(%S+) (.+)$")
    if name and name < this and (best == nil or name > best) then best, revision = name, rev end
  end
  return revision
end)

-- previous_release is the newest release older than the one this run
-- makes, on this host inside on(), on the first host at task level.
function previous_release()
  local listing = capture("ls -1 " .. shell.quote(releases_path()) .. " 2>/dev/null || true")
  local this, best = tostring(fetch("release_name")), nil
  for name in listing:gmatch("[^\n]+") do
    if name < this and (best == nil or name > best) then best = name end
  end
  return best and (releases_path() .. "/" .. best) or nil
end

-- Hosts, stages, tasks and commands: the Go functions of verbs.go ---------
for name, how in pairs(wraps) do
  if how == "checked" then _G[name] = checked(raw[name]) else _G[name] = raw[name] end
end
on = checked(raw.on, 0) -- each host's error names its own line
run = execute

-- background_job is what a command started with {background = true}
-- returns: job:wait() returns its output or raises its failure, as the
-- command would have; job:stop() stops it; id names it to rsync()'s after
-- option.
local function background_job(out)
  if type(out) ~= "number" then return out end
  return { id = out, wait = function() return checked(raw.wait_local)(out) end,
    stop = function() checked(raw.stop_local)(out) end }
end

function run_locally(what, ...)
  if type(what) == "function" then return checked(raw.on_local)(what) end
  return background_job(checked(raw.run_locally, CALLER + 1)(what, ...))
end

function rsync(...) return background_job(checked(raw.rsync, CALLER + 1)(...)) end

-- within, with and as scope the commands run inside fn.
local function scoped(kind, value, fn)
  local depth = checked(raw.ctx_push)(kind, value)
  local r = { pcall(fn) }
  raw.ctx_pop(depth)
  if not r[1] then error(r[2], 0) end
  return unpack(r, 2, table.maxn(r))
end
function within(dir, fn) return scoped("dir", dir, fn) end
function with(env, fn) return scoped("env", env, fn) end
function as(user, fn) return scoped("user", user, fn) end
