# Every host is web and app; the first is the db primary.
ENV.fetch("BENCH_HOSTS").split(",").each_with_index do |name, i|
  roles = %w[web app]
  roles << "db" if i.zero?
  server name, roles: roles, primary: i.zero?
end
