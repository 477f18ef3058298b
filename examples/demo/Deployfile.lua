-- The luacap demo: deploys ./app with the bundled deploy flow into a
-- directory on this machine (the local transport), so it needs no server.
--   luacap -f examples/demo/Deployfile.lua local deploy
--   luacap -f examples/demo/Deployfile.lua local deploy:rollback
--   luacap -f examples/demo/Deployfile.lua --explain deploy
--   luacap -f examples/demo/Deployfile.lua local deploy --dry-run
set("application", "demo")
set("deploy_to", os.getenv("LUACAP_DEMO_DIR") or "/tmp/luacap-demo")
set("deploy_via", "copy")            -- pack ./app here, send it to every host
set("copy_source", "app")           -- local paths are relative to this file
set("linked_files", { "config/app.yml" })
set("linked_dirs", { "log" })
set("keep_releases", 3)
use("passenger")                     -- deploy:restart touches tmp/restart.txt

stage("local", function()
  server("localhost", { transport = "local", roles = { "web", "app", "db" } })
end)

desc("Puts the example config in shared/ before the first deploy checks for it")
task("demo:config", function()
  on(roles("app"), function()
    local config = shared_path() .. "/config/app.yml"
    execute("mkdir -p " .. shared_path() .. "/config && { [ -f " .. config .. " ] || cp " ..
      fetch("copy_source") .. "/config.example.yml " .. config .. "; }")
  end)
end)
before("deploy:check", "demo:config")
