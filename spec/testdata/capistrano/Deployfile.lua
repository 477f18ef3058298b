-- The port of Capfile and config/deploy.rb. luacap's deploy flow, its git
-- strategy (remote_cache) and deploy:migrate are built in: no requires.

-- capistrano/rails/migrations: deploy:migrate after deploy:updated
after("deploy:updated", "deploy:migrate")

-- Capfile: Dir.glob("lib/capistrano/tasks/*.rake").each { |r| import r }
use("./lib/deploy/sidekiq")

set("application", "shop")
set("repo_url", "git@github.com:acme/shop.git")
set("deploy_to", "/var/www/shop")
ask("branch", "Branch to deploy?", { default = "main" })
set("keep_releases", 3)

append("linked_files", "config/database.yml")
append("linked_dirs", "log", "tmp/pids", "tmp/cache", "public/system")

-- Only migrate when something under db/ changed
set("conditionally_migrate", true)

-- The app's binstub: the servers have no bundler on the PATH
set("migrate_command", "bin/rake db:migrate")
local rake = "bin/rake"
local q = require("luacap.shell").quote

namespace("deploy", function()
  desc("Uploads the production database.yml to shared/")
  task("upload_config", function()
    on(roles("app"), function()
      execute("mkdir", "-p", shared_path() .. "/config")
      upload("config/database.production.yml", shared_path() .. "/config/database.yml")
    end)
  end)

  desc("Restarts Passenger, one server at a time")
  task("restart", function()
    on(roles("app"), { mode = "sequence", wait = 1 }, function()
      execute("mkdir", "-p", current_path() .. "/tmp")
      execute("touch", current_path() .. "/tmp/restart.txt")
    end)
  end)

  desc("Clears the Rails cache")
  task("clear_cache", function()
    on(roles("web"), function()
      within(current_path(), function()
        with({ RAILS_ENV = fetch("rails_env") }, function()
          execute(rake, "tmp:cache:clear")
        end)
      end)
    end)
  end)

  desc("Writes the deployed revision where the status page reads it")
  task("record_revision", function()
    local revision = fetch("current_revision")
    on(roles("web", { filter = "primary" }), function()
      local file = shared_path() .. "/public/system/revision.txt"
      if test("[ -f " .. q(file) .. " ]") then
        local previous = capture("cat", file)
        info("replacing revision " .. previous)
        execute("cp", file, shared_path() .. "/public/system/previous_revision.txt")
      end
      put(revision .. "\n", file)
    end)
  end)

  before("deploy:check:linked_files", "deploy:upload_config")
  after("publishing", "restart")
  after("restart", "clear_cache")
  after("finishing", "record_revision")
end)
