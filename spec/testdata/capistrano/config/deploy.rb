# config valid for current version and patch releases of Capistrano
lock "~> 3.18"

set :application, "shop"
set :repo_url, "git@github.com:acme/shop.git"
set :deploy_to, "/var/www/shop"
ask :branch, "main"
set :keep_releases, 3

append :linked_files, "config/database.yml"
append :linked_dirs, "log", "tmp/pids", "tmp/cache", "public/system"

# Only migrate when something under db/ changed
set :conditionally_migrate, true

# The app's binstub: the servers have no bundler on the PATH
SSHKit.config.command_map[:rake] = "bin/rake"

namespace :deploy do
  desc "Uploads the production database.yml to shared/"
  task :upload_config do
    on roles(:app) do
      execute :mkdir, "-p", "#{shared_path}/config"
      upload! "config/database.production.yml", "#{shared_path}/config/database.yml"
    end
  end

  desc "Restarts Passenger, one server at a time"
  task :restart do
    on roles(:app), in: :sequence, wait: 1 do
      execute :mkdir, "-p", current_path.join("tmp")
      execute :touch, current_path.join("tmp/restart.txt")
    end
  end

  desc "Clears the Rails cache"
  task :clear_cache do
    on roles(:web) do
      within current_path do
        with rails_env: fetch(:rails_env) do
          execute :rake, "tmp:cache:clear"
        end
      end
    end
  end

  desc "Writes the deployed revision where the status page reads it"
  task :record_revision do
    revision = fetch(:current_revision)
    on roles(:web, filter: :primary) do
      file = "#{shared_path}/public/system/revision.txt"
      if test("[ -f #{file} ]")
        previous = capture(:cat, file)
        info "replacing revision #{previous}"
        execute :cp, file, "#{shared_path}/public/system/previous_revision.txt"
      end
      upload! StringIO.new("#{revision}\n"), file
    end
  end

  before "deploy:check:linked_files", "deploy:upload_config"
  after :publishing, :restart
  after :restart, :clear_cache
  after :finishing, :record_revision
end
