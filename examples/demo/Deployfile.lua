-- The luacap demo: deploys ./app into a directory on this machine with the
-- local transport, so it needs no server. Try:
--   luacap -f examples/demo/Deployfile.lua local deploy
--   luacap -f examples/demo/Deployfile.lua --explain deploy
--   luacap -f examples/demo/Deployfile.lua local deploy --dry-run
set("application", "demo")
set("deploy_to", os.getenv("LUACAP_DEMO_DIR") or "/tmp/luacap-demo")
set("source", (debug.getinfo(1, "S").source:match("^@?(.*)/[^/]*$") or ".") .. "/app")
set("linked_files", { "config/app.yml" })

stage("local", function()
  server("localhost", { transport = "local", roles = { "web", "app" }, primary = true })
end)

namespace("demo", function()
  desc("Creates the directories a deploy needs")
  task("setup", function()
    on(roles("app"), function(host)
      execute("mkdir", "-p", releases_path(), shared_path() .. "/config")
      if not test("[ -f " .. shared_path() .. "/config/app.yml ]") then
        execute("cp", fetch("source") .. "/config.example.yml", shared_path() .. "/config/app.yml")
      end
    end)
  end)

  desc("Copies the app into a new release")
  task("update_code", function()
    on(roles("app"), function(host)
      on_rollback("rm -rf " .. release_path())
      execute("cp", "-R", fetch("source"), release_path())
      for _, file in ipairs(fetch("linked_files")) do
        execute("mkdir", "-p", release_path() .. "/" .. file:match("^(.*)/") )
        execute("ln", "-sfn", shared_path() .. "/" .. file, release_path() .. "/" .. file)
      end
      put(fetch("release_name") .. "\n", release_path() .. "/REVISION")
    end)
  end)

  desc("Points current at the new release")
  task("symlink", function()
    on(roles("app"), function(host)
      local previous = capture("readlink " .. current_path() .. " || true")
      if previous ~= "" then on_rollback("ln -sfn " .. previous .. " " .. current_path()) end
      execute("ln", "-sfn", release_path(), current_path() .. ".new")
      execute("mv", "-T", current_path() .. ".new", current_path())
    end)
  end)
end)

desc("Deploys the demo app: setup, copy, switch current; undone if any step fails")
task("deploy", { transaction = true }, { "demo:setup", "demo:update_code", "demo:symlink" })

after("deploy", function()
  on(roles("app"), function(host)
    execute("ls", current_path() .. "/")
  end)
end)
