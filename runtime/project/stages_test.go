package project

import (
	"strings"
	"testing"

	"github.com/luacap/luacap/recipes"
)

// loadDeployfile loads the bundled recipes, then src as Deployfile.lua
// beside the given stage files (deploy/<name>.lua), as luacap does.
func loadDeployfile(t *testing.T, src string, stageFiles ...string) (string, error) {
	t.Helper()
	p := newTestProject(t)
	if err := p.LoadRecipes(recipes.FS, recipes.Core); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{"Deployfile.lua": src}
	for _, name := range stageFiles {
		files["deploy/"+name+".lua"] = ""
	}
	return loadTree(t, p, files)
}

// A stage named like a task or a subcommand is refused as the Deployfile
// loads, naming where the stage is: "luacap deploy" would otherwise load
// that stage and run no task.
func TestStageNamedLikeATaskOrSubcommandIsRefused(t *testing.T) {
	const rename = "; rename the stage"
	tests := []struct {
		name, src string
		files     []string
		want      string // "" when the stages are fine
	}{
		{"a block named deploy", "set(\"a\", 1)\nstage(\"deploy\", function() end)", nil, `DIR/Deployfile.lua:2: the stage "deploy" has the name of a task, so "luacap deploy" could not tell them apart` + rename},
		{"a block named like a bundled task", `stage("deploy:rollback", function() end)`, nil, `the stage "deploy:rollback" has the name of a task`},
		{"a block named like the Deployfile's task", "task(\"backup\", function() end)\nstage(\"backup\", function() end)", nil, `DIR/Deployfile.lua:2: the stage "backup" has the name of a task`},
		{"a block named doctor", `stage("doctor", function() end)`, nil, `DIR/Deployfile.lua:1: the stage "doctor" has the name of a luacap subcommand`},
		{"a file named deploy", ``, []string{"deploy"}, `DIR/deploy/deploy.lua: the stage "deploy" has the name of a task` + ""},
		{"a file named ssh-config", ``, []string{"production", "ssh-config"}, `DIR/deploy/ssh-config.lua: the stage "ssh-config" has the name of a luacap subcommand`},
		{"a file named completion", ``, []string{"completion"}, `the stage "completion" has the name of a luacap subcommand`},
		{"good names", `stage("production", function() end)`, []string{"staging"}, ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, err := loadDeployfile(t, tt.src, tt.files...)
			got := ""
			if err != nil {
				got = strings.ReplaceAll(err.Error(), dir, "DIR")
			}
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("error: %q\nwant: %q", got, tt.want)
			}
		})
	}
}
