-- Release names: which are valid, and which name a new release takes.
-- require("luacap.recipes.release_names").
local valid_release_name = require("luacap.release").valid_release_name
local M = {}

-- valid reports whether name is a release name (one path segment of
-- letters, digits, '.', '_' and '-', as luacap checks -s release_name).
-- Anything else in releases/ is not a release.
function M.valid(name) return (valid_release_name(name)) end

-- days_from_civil counts days from 1970-01-01 to y-m-d (proleptic
-- Gregorian), so timestamps need no local time zone.
local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = math.floor((153 * mp + 2) / 5) + d - 1
  local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
end

local function civil_from_days(z)
  z = z + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local d = doy - math.floor((153 * mp + 2) / 5) + 1
  local m = mp < 10 and mp + 3 or mp - 9
  local y = yoe + era * 400
  if m <= 2 then y = y + 1 end
  return y, m, d
end

-- next_second is the timestamp name (YYYYMMDDHHMMSS) one second after ts.
function M.next_second(ts)
  local y, mo, d, h, mi, s = ts:match("^(%d%d%d%d)(%d%d)(%d%d)(%d%d)(%d%d)(%d%d)$")
  local t = days_from_civil(tonumber(y), tonumber(mo), tonumber(d)) * 86400 + h * 3600 + mi * 60 + s + 1
  local days = math.floor(t / 86400)
  local rest = t - days * 86400
  local ny, nm, nd = civil_from_days(days)
  return string.format("%04d%02d%02d%02d%02d%02d", ny, nm, nd, math.floor(rest / 3600), math.floor(rest % 3600 / 60), rest % 60)
end

local function timestamp(name) return name ~= nil and name:match("^%d%d%d%d%d%d%d%d%d%d%d%d%d%d$") ~= nil end

-- choose returns the name a new release takes: candidate when it sorts
-- after newest (the newest release on any host) and nothing stands under
-- that name (taken(name), on any host); or else a timestamp is moved on,
-- a second at a time, past both, so that releases sort in the order they
-- were made and a new one never lands on an existing entry. A name that is
-- not a timestamp cannot be moved on: nil and the reason.
function M.choose(candidate, newest, taken)
  taken = taken or function() return false end
  local name = candidate
  if newest ~= nil and name <= newest then
    if not (timestamp(name) and timestamp(newest)) then
      if name == newest then
        return nil, string.format("release %s exists already; pick another release_name", name)
      end
      return nil, string.format("release_name %s sorts before the newest release, %s; releases are ordered by name, " ..
        "so pick a name after it", name, newest)
    end
    name = M.next_second(newest)
  end
  while taken(name) do
    if not timestamp(name) then
      return nil, string.format("releases/%s exists already on a host (not a release luacap knows); pick another release_name", name)
    end
    name = M.next_second(name)
  end
  return name
end

return M
