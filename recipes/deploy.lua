-- The deploy flow. Capistrano 2's task names, with Capistrano 3's
-- milestones (deploy:starting ... deploy:finished) as hook points, so
-- hooks written either way fire. Override any task by defining it again
-- in your Deployfile; `luacap --show TASK` prints where it comes from.
-- The rollback's own milestones are in rollback.lua.
set("branch", "main")
set("deploy_via", "remote_cache")
set("linked_files", {})
set("linked_dirs", {})
set("group_writable", false)
set("rails_env", "production")
set("migrate_command", "bundle exec rake db:migrate")
set("migrate_role", "db")
set("conditionally_migrate", false)
set("migrations_paths", { "db" }) -- capistrano-rails compares all of db/
set("lock_wait", 0)
set("local_user", function() return os.getenv("USER") or run_locally("whoami", { dry_run = "you" }) end)

-- release_roles() are the hosts that get releases: all but no_release ones.
function release_roles()
  local out = {}
  for _, h in ipairs(roles("all")) do
    if not h.no_release then out[#out + 1] = h end
  end
  return out
end

desc("Deploys the app: updates the code on every host or on none, then restarts")
task("deploy", { on_failure = "deploy:failed" },
  { "deploy:starting", "deploy:started", "deploy:update", "deploy:restart", "deploy:finishing", "deploy:finished" })

namespace("deploy", function()
  desc("Updates the code and switches current: all hosts, or on a failure none")
  task("update", { transaction = true },
    { "deploy:updating", "deploy:updated", "deploy:publishing", "deploy:published" })

  desc("Deploys, running the migrations in the new release before switching current")
  task("migrations", { on_failure = "deploy:failed" },
    { "deploy:starting", "deploy:started", "deploy:update_with_migrations", "deploy:restart", "deploy:finishing",
      "deploy:finished" })

  desc("Updates the code, migrates, and switches current: all hosts, or on a failure none")
  task("update_with_migrations", { transaction = true },
    { "deploy:updating", "deploy:updated", "deploy:migrate", "deploy:publishing", "deploy:published" })

  desc("Creates the new release: takes the lock, makes the release, links shared files")
  task("update_code", { "deploy:lock", "deploy:create_release", "deploy:finalize_update" })

  desc("Restarts the app; empty until a recipe or your Deployfile defines it")
  task("restart")

  desc("Runs migrate_command once, in the new release, on the primary host of migrate_role")
  task("migrate", function()
    local db = primary(fetch("migrate_role"))
    if db == nil then return end
    on(db, function()
      if fetch("conditionally_migrate") and not require("luacap.recipes.migrations").needed() then return end
      within(release_path(), function()
        with({ RAILS_ENV = fetch("rails_env") }, function() execute(fetch("migrate_command")) end)
      end)
    end)
  end)

  -- Milestones: hook points, as in Capistrano 3.
  desc("Milestone: a deploy starts; checks the servers")
  task("starting", { "deploy:check" })
  desc("Milestone: the servers are checked; a rollback starts here")
  task("started")
  desc("Milestone: the new release is being made")
  task("updating", { "deploy:update_code" })
  desc("Milestone: the new release is made, current not yet switched")
  task("updated")
  desc("Milestone: current is being switched")
  task("publishing", { "deploy:symlink" })
  desc("Milestone: current points at the new release")
  task("published")
  desc("Milestone: the deploy is finishing; cleans up and logs the revision")
  task("finishing", { "deploy:cleanup", "deploy:log_revision" })
  desc("Milestone: the deploy or the rollback is done")
  task("finished")
  desc("Milestone: a deploy failed, after its changes were undone")
  task("failed")
end)
