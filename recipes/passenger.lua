-- use("passenger"): restarts Passenger apps by touching tmp/restart.txt.

desc("Restarts Passenger: touches tmp/restart.txt in the current release on app hosts")
task("deploy:restart", { roles = "app", pipelined = true }, function()
  local mkdir_p = require("luacap.recipes.releases").mkdir_p
  execute(mkdir_p({ current_path() .. "/tmp" })) -- no mkdir when tmp/ is there, as it is after the first restart
  execute("touch", current_path() .. "/tmp/restart.txt")
end)
