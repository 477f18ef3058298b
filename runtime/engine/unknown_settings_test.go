package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/luacap/luacap/recipes"
)

// bundledWith is loadBundled with -s overrides.
func bundledWith(t *testing.T, src string, set map[string]string) *testRun {
	t.Helper()
	run, err := tryLoad(t, "", dryRun, overrides(set))
	if err != nil {
		t.Fatal(err)
	}
	if err := run.e.LoadRecipes(recipes.FS, recipes.Core); err != nil {
		t.Fatalf("loading the bundled recipes: %v", err)
	}
	file := filepath.Join(run.dir, "Deployfile2.lua")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run.e.LoadFile(file); err != nil {
		t.Fatalf("loading the Deployfile: %v", err)
	}
	return run
}

const copyApp = `set("application", "shop")
set("deploy_via", "copy")
set("copy_source", fetch("dir"))
server("h1", { transport = "local", roles = { "web", "app", "db" } })
`

const unread = "is set but nothing reads it"

// Each setting nothing reads warns once, at the end of a dry-run
// deploy, with where it was set and a hint; the run still succeeds.
func TestUnknownSettingsWarn(t *testing.T) {
	tests := []struct {
		name, src string
		set       map[string]string
		want      string
	}{
		{"a typo", `set("keep_relases", 3)`, nil, `Deployfile2.lua:5: setting "keep_relases" ` + unread + `: did you mean "keep_releases"?`},
		{"a singular", `set("linked_dir", { "log" })`, nil, `Deployfile2.lua:5: setting "linked_dir" ` + unread + `: did you mean "linked_dirs"?`},
		{"a typo of an opt-in recipe's", `set("assets_rols", { "web" })`, nil, `did you mean "assets_roles"?`},
		{"a typo on the command line", ``, map[string]string{"brnach": "x"}, `-s brnach=...: setting "brnach" ` + unread + `: did you mean "branch"?`},
		{"Capistrano's default_env", `set("default_env", { PATH = "/x" })`, nil, `setting "default_env" ` + unread + `: a Capistrano setting luacap does not read; luacap has no default environment: wrap the commands in with(`},
		{"Capistrano's format", `set("format", "airbrussh")`, nil, `--format pretty|verbose|json`},
		{"Capistrano's log_level", `set("log_level", "debug")`, nil, `with -v`},
		{"Capistrano's pty", `set("pty", true)`, nil, `{ pty = true }`},
		{"Capistrano's scm", `set("scm", "git")`, nil, `deploy_via chooses how`},
		{"capistrano-rbenv's", `set("rbenv_ruby", "3.3.0")`, nil, `no rbenv support`},
		{"capistrano-rails' migration_role", `set("migration_role", "db")`, nil, `migrate_role`},
		{"a default nothing reads", `set_if_empty("keep_relases", 3)`, nil, `Deployfile2.lua:5: setting "keep_relases" ` + unread},
		{"nothing close", `set("zzzqqq", 1)`, nil, `setting "zzzqqq" ` + unread + `: luacap and its bundled recipes do not know it`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := bundledWith(t, copyApp+tt.src, tt.set)
			r.mustRun(t, "deploy")
			if got := r.out.String(); strings.Count(got, unread) != 1 || !strings.Contains(got, tt.want) {
				t.Errorf("output:\n%s\nwant once: %s", got, tt.want)
			}
		})
	}
}

// onlySentinel fails unless the one warning is the sentinel's: the
// sentinel proves the check ran, so silence about the rest means known.
func onlySentinel(t *testing.T, r *testRun) {
	t.Helper()
	if got := r.out.String(); strings.Count(got, unread) != 1 || !strings.Contains(got, `"sentinel_typo" `+unread) {
		t.Errorf("want one warning, about sentinel_typo; output:\n%s", got)
	}
}

const sentinel = "\nset(\"sentinel_typo\", 1)\n"

// A setting is known when anything reads it: the run, a task of the
// Deployfile that did not run, a bundled recipe, or luacap itself.
func TestReadSettingsDoNotWarn(t *testing.T) {
	tests := []struct{ name, src string }{
		{"fetched in the run", `set("mine", 1)
after("deploy", function() fetch("mine") end)`},
		{"fetched by a task not run", `set("mine", 1)
task("other", function() info(fetch("mine")) end)`},
		{"appended to, then read", `append("mine", "a")
task("other", function() info(fetch("mine")[1]) end)`},
		{"read by an opt-in recipe not used", `set("assets_dir", "public/packs")`},
		{"read by luacap itself", `set("log_file", "-")`},
		{"a secret read in the run", `set("token", "s3", { secret = true })
after("deploy", function() fetch("token") end)`},
		{"set_if_empty of a name a task reads", `set_if_empty("mine", 1)
after("deploy", function() fetch("mine") end)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := bundledWith(t, copyApp+tt.src+sentinel, nil)
			r.mustRun(t, "deploy")
			onlySentinel(t, r)
		})
	}
}

// The bundled flows, with the settings the README and the demo show,
// warn about nothing: a name only a recipe sets for its own use is known.
func TestBundledFlowsWarnAboutNothing(t *testing.T) {
	readme := copyApp + `set("deploy_to", "/var/www/shop")
set("linked_files", { "config/database.yml" })
set("linked_dirs", { "log", "tmp/pids" })
set("keep_releases", 5)
set("ssh_options", { forward_agent = true })
use("passenger")
`
	assets := readme + `use("rails/assets_local")
set("assets_roles", { "web" })
set("assets_build_command", "true")
set("local_repo", fetch("dir"))
`
	tests := []struct{ name, src, task string }{
		{"deploy", readme, "deploy"},
		{"migrations", readme + `set("migrate_command", "true")`, "deploy:migrations"},
		{"rollback", readme, "deploy:rollback"},
		{"check", readme + `set("repo_url", "git@example.com:a/b.git")`, "deploy:check"},
		{"assets", assets, "deploy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := bundledWith(t, tt.src+sentinel, map[string]string{"branch": "main", "release_name": "20260101000000"})
			r.mustRun(t, tt.task)
			onlySentinel(t, r)
		})
	}
}
