-- use("passenger"): restarts Passenger apps by touching tmp/restart.txt.
local q = require("luacap.shell").quote

desc("Restarts Passenger: touches tmp/restart.txt in the current release on app hosts")
task("deploy:restart", { roles = "app", pipelined = true }, function()
  run("mkdir -p " .. q(current_path() .. "/tmp") .. " && touch " .. q(current_path() .. "/tmp/restart.txt"))
end)
