-- use("rails/assets"): compiles the assets on the servers, in the new
-- release, on the hosts of assets_roles, after deploy:finalize_update.
-- For small servers, use("rails/assets_local") builds them once here.
set_if_empty("assets_roles", { "web" })
set_if_empty("assets_dir", "public/assets")
set_if_empty("assets_shared", false) -- true: the assets live in shared/, linked into each release
set_if_empty("assets_build_command", "bundle exec rake assets:precompile")


-- assets_hosts are the hosts of assets_roles.
local function assets_hosts() return roles(unpack(fetch("assets_roles"))) end

namespace("deploy", function()
  namespace("assets", function()
    desc("Compiles the assets in the new release on the assets_roles hosts")
    task("precompile", function()
      on(assets_hosts(), function()
        within(release_path(), function()
          with({ RAILS_ENV = fetch("rails_env") }, function() execute(fetch("assets_build_command")) end)
        end)
      end)
    end)
  end)
end)
after("deploy:finalize_update", "deploy:assets:precompile")
