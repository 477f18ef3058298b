set :rails_env, "production"

server "web1.example.com", user: "deploy", roles: %w{app web}, primary: true
server "web2.example.com", user: "deploy", roles: %w{app web}, sidekiq: true

role :db, %w{web1.example.com}
