-- use("passenger"): restarts Passenger apps by touching tmp/restart.txt.

desc("Restarts Passenger: touches tmp/restart.txt in the current release on app hosts")
task("deploy:restart", { roles = "app", pipelined = true }, function()
  execute("mkdir", "-p", current_path() .. "/tmp")
  execute("touch", current_path() .. "/tmp/restart.txt")
end)
