# The work of the luacap Deployfile that BenchmarkAssets writes: migrations
# on the db primary, assets built here once from a clean export of the
# branch and rsynced into shared/public/assets of every web host (a new
# ssh process per host, in parallel: SSHKit's on() runs hosts in threads),
# and a Passenger restart. The bench sets the BENCH_* variables.
require "shellwords"

set :application, "bench"
set :repo_url, ENV.fetch("BENCH_REPO")
set :branch, "main"
set :deploy_to, "/var/www/bench"
set :keep_releases, 5
set :linked_files, %w[config/database.yml]
set :linked_dirs, %w[log tmp/pids public/system public/assets]
set :ssh_options, config: [ENV.fetch("BENCH_SSH_CONFIG")], verify_host_key: :always
set :format_options, log_file: nil

namespace :deploy do
  desc "Build the assets here and rsync them to every web host"
  task :assets_local do
    build = "tmp/assets_build"
    run_locally do
      execute "rm -rf #{build} && mkdir -p #{build} && git -C #{ENV.fetch('BENCH_REPO').shellescape} archive #{fetch(:branch)} | tar -x -C #{build}"
      execute "cd #{build} && RAILS_ENV=production sh -c #{ENV.fetch('BENCH_ASSETS_BUILD').shellescape}"
    end
    ssh = %(ssh -F "#{ENV.fetch('BENCH_SSH_CONFIG')}") # rsync splits -e itself, and reads quotes, not backslashes
    on roles(:web) do |host|
      run_locally do
        execute "rsync -a --checksum --delete -z -e #{ssh.shellescape} #{build}/public/assets/ #{host.hostname}:#{shared_path}/public/assets/"
      end
    end
  end

  desc "Run the migrations on the db primary"
  task :migrate do
    on primary(:db) do
      within release_path do
        with rails_env: "production" do
          execute :sh, "-c", ENV.fetch("BENCH_MIGRATE").shellescape
        end
      end
    end
  end

  desc "Restart Passenger"
  task :restart do
    on roles(:app) do
      execute :mkdir, "-p", release_path.join("tmp")
      execute :touch, release_path.join("tmp/restart.txt")
    end
  end

  after :updated, :assets_local
  after :updated, :migrate
  after :publishing, :restart
end
