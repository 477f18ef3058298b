-- The port of config/deploy/production.rb.
set("rails_env", "production")

server("web1.example.com", { user = "deploy", roles = { "app", "web" }, primary = true })
server("web2.example.com", { user = "deploy", roles = { "app", "web" }, sidekiq = true })

role("db", { "web1.example.com" })
