package engine

import (
	"strings"
	"testing"

	"github.com/luacap/luacap/recipes"
)

// Capistrano 3's step names are aliases of the bundled steps that do the
// same job, so a hook on one is a hook on the step.
func TestCapistranoStepNamesAreAliases(t *testing.T) {
	r := loadBundled(t, hookEveryMilestone())
	tests := map[string]string{
		"deploy:check:linked_files":   "deploy:check",
		"deploy:symlink:shared":       "deploy:finalize_update",
		"deploy:symlink:linked_dirs":  "deploy:finalize_update",
		"deploy:symlink:linked_files": "deploy:finalize_update",
		"deploy:symlink:release":      "deploy:symlink",
		"deploy:set_current_revision": "deploy:create_release",
		"deploy:revert_release":       "deploy:rollback:revision",
		"deploy:cleanup_rollback":     "deploy:rollback:cleanup",
	}
	for name, want := range tests {
		if tk, ok := r.e.p.Tasks.Lookup(name); !ok || tk.Name != want {
			t.Errorf("%s is %v, want an alias of %s", name, tk, want)
		}
	}
}

// Hooks written with Capistrano's names run inside the milestone where
// Capistrano runs those steps.
func TestHooksOnCapistranoNamesRunInTheirMilestone(t *testing.T) {
	hooks := `
before("deploy:check:linked_files", mark("upload config"))
after("deploy:set_current_revision", mark("revision written"))
after("deploy:symlink:shared", mark("shared linked"))
after("deploy:symlink:release", mark("current switched"))
after("deploy:revert_release", mark("reverted release"))
after("deploy:cleanup_rollback", mark("rollback cleaned"))
`
	tests := []struct{ task, want string }{
		{"deploy", "starting upload config /starting started /started updating revision written shared linked /updating " +
			"updated /updated publishing current switched /publishing published /published finishing /finishing finished /finished"},
		{"deploy:rollback", "started /started reverting reverted release /reverting reverted /reverted " +
			"finishing_rollback rollback cleaned /finishing_rollback finished /finished"},
	}
	for _, tt := range tests {
		t.Run(tt.task, func(t *testing.T) {
			r := loadBundled(t, hookEveryMilestone()+hooks)
			r.mustRun(t, tt.task)
			if got := strings.Join(r.trace(), " "); got != tt.want {
				t.Errorf("%s ran:\n%s\nwant:\n%s", tt.task, got, tt.want)
			}
		})
	}
}

// Defining a task by an alias's name would replace the whole task the
// alias stands for: it is refused, naming that task.
func TestTaskByAnAliasNameIsRefused(t *testing.T) {
	tests := []struct{ src, want string }{
		{`namespace("deploy", function() namespace("check", function() task("linked_files", function() end) end) end)`,
			`Deployfile2.lua:1: task "deploy:check:linked_files": that name is an alias of deploy:check; define deploy:check to replace it, or give your task another name`},
		{`task("deploy:create_symlink", function() end)`,
			`Deployfile2.lua:1: task "deploy:create_symlink": that name is an alias of deploy:symlink; define deploy:symlink to replace it, or give your task another name`},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			run, err := tryLoad(t, "", dryRun)
			if err != nil {
				t.Fatal(err)
			}
			if err := run.e.LoadRecipes(recipes.FS, recipes.Core); err != nil {
				t.Fatal(err)
			}
			err = run.e.LoadString("Deployfile2.lua", tt.src)
			if got := run.errText(err); got != tt.want {
				t.Errorf("error:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}
