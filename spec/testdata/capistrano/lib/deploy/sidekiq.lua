-- The port of lib/capistrano/tasks/sidekiq.rake.
namespace("sidekiq", function()
  desc("Restarts Sidekiq on the servers that run it")
  task("restart", function()
    on(roles("app", { filter = "sidekiq" }), function()
      within(current_path(), function()
        with({ RAILS_ENV = fetch("rails_env") }, function()
          execute("bin/rake", "sidekiq:restart")
        end)
      end)
    end)
  end)
end)

after("deploy:published", "sidekiq:restart")
-- Capistrano's rollback runs deploy:published again, after the restart;
-- luacap's has no deploy:published: the same place is before it finishes.
before("deploy:finishing_rollback", "sidekiq:restart")
