namespace :sidekiq do
  desc "Restarts Sidekiq on the servers that run it"
  task :restart do
    on roles(:app, filter: :sidekiq) do
      within current_path do
        with rails_env: fetch(:rails_env) do
          execute :rake, "sidekiq:restart"
        end
      end
    end
  end
end

after "deploy:published", "sidekiq:restart"
