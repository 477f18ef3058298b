package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// With conditionally_migrate, as in capistrano-rails, deploy:migrations
// migrates only when something under migrations_paths (default db/)
// differs between the release in current and the new one: a first
// deploy always does. Each step changes the app, deploys, and expects
// the migration to run or be skipped, saying why.
func TestConditionallyMigrateRunsOnlyWhenDbChanged(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	d := newDeployEnv(t, c, appDeployfile(c, map[string]string{"h1": `"app", "db"`, "h2": `"app"`}, `
set("conditionally_migrate", true)
set("migrate_command", "echo \"$RAILS_ENV\" >> `+shop+`/migrated")
`))
	app := func(p string) string { return filepath.Join(d.dir, "app", p) }
	d.write(app("db/migrate/001_create_orders.rb"), "create orders\n")
	d.write(app("db/schema.rb"), "version 1\n")
	steps := []struct {
		name   string
		change func()
		args   []string
		runs   bool
		says   string
	}{
		{"the first deploy", func() {}, nil, true, "migrating: no release in current to compare with"},
		{"app code only", func() { d.write(app("public/index.html"), "<p>v2</p>\n") }, nil, false,
			"skipping the migrations (conditionally_migrate): nothing under db changed since release 20260101000001"},
		{"a new migration", func() { d.write(app("db/migrate/002_add_total.rb"), "add total\n") }, nil, true,
			"migrating: db changed since the release in current"},
		{"nothing at all", func() {}, nil, false, "nothing under db changed since release 20260101000003"},
		{"a migration removed", func() { os.Remove(app("db/migrate/002_add_total.rb")) }, nil, true, "migrating: db changed"},
		{"the schema edited", func() { d.write(app("db/schema.rb"), "version 2\n") }, nil, true, "migrating: db changed"},
		{"seeds, outside migrations_paths", func() { d.write(app("db/seeds.rb"), "seed\n") },
			[]string{"-s", "migrations_paths=db/migrate"}, false, "nothing under db/migrate changed since release 20260101000006"},
		{"a new migration, with migrations_paths", func() { d.write(app("db/migrate/003_x.rb"), "x\n") },
			[]string{"-s", "migrations_paths=db/migrate"}, true, "migrating: db/migrate changed"},
	}
	runs := 0
	for i, s := range steps {
		s.change()
		release := "2026010100000" + string(rune('1'+i))
		r := d.run(append([]string{"deploy:migrations", "-s", "release_name=" + release}, s.args...)...)
		mustSucceed(t, r)
		if s.runs {
			runs++
		}
		got := strings.Count(readMigrated(t, c.Host("h1")), "production\n")
		if got != runs || !strings.Contains(r.Stdout, s.says) {
			t.Errorf("%s: %d migrations run, want %d; output says %q: %v\n%s", s.name, got, runs, s.says,
				strings.Contains(r.Stdout, s.says), r.Stdout)
		}
	}
	if _, err := os.Stat(c.Host("h2").Path(shop + "/migrated")); err == nil {
		t.Errorf("h2, not of migrate_role, ran the migrations")
	}
}

func readMigrated(t *testing.T, h *harness.Host) string {
	t.Helper()
	b, err := os.ReadFile(h.Path(shop + "/migrated"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}
