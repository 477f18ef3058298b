package engine

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/recipes"
)

// loadTree writes files (path: source) into a fresh directory, which is
// never the current one, loads its Deployfile.lua with the bundled
// recipes, and, when stage is not "", the stage.
func loadTree(t *testing.T, files map[string]string, stage string, setups ...setup) (*testRun, error) {
	t.Helper()
	return loadTreeAs(t, files, stage, func(dir string) string { return filepath.Join(dir, "Deployfile.lua") }, setups...)
}

// loadTreeAs is loadTree with the Deployfile's path as deployfile(dir)
// gives it: a relative one, as the command line may.
func loadTreeAs(t *testing.T, files map[string]string, stage string, deployfile func(dir string) string, setups ...setup) (*testRun, error) {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e, b := newTestEngine(t, setups...)
	e.p.Lua().SetGlobal("trace", e.p.Lua().NewTable())
	r := &testRun{e: e, out: b, dir: dir}
	if err := e.LoadRecipes(recipes.FS, recipes.Core); err != nil {
		t.Fatal(err)
	}
	if err := e.LoadFile(deployfile(dir)); err != nil || stage == "" {
		return r, err
	}
	return r, e.UseStage(stage)
}

// A recipe file records that it ran, so a test can count the loads.
const recorder = `table.insert(trace, "%s")`

func recipe(name string) string { return strings.ReplaceAll(recorder, "%s", name) }

func TestUseLoadsLocalRecipesRelativeToTheCaller(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		stage string
		want  []string
	}{
		{"a path from the Deployfile, without .lua", map[string]string{
			"Deployfile.lua":         `use("./lib/deploy/sidekiq")`,
			"lib/deploy/sidekiq.lua": recipe("sidekiq"),
		}, "", []string{"sidekiq"}},
		{"a path with .lua", map[string]string{
			"Deployfile.lua": `use("./tasks.lua")`,
			"tasks.lua":      recipe("tasks"),
		}, "", []string{"tasks"}},
		{"a stage file, relative to deploy/", map[string]string{
			"Deployfile.lua":         ``,
			"deploy/production.lua":  `use("../lib/deploy/sidekiq"); use("./only_here")`,
			"lib/deploy/sidekiq.lua": recipe("sidekiq"),
			"deploy/only_here.lua":   recipe("only_here"),
		}, "production", []string{"sidekiq", "only_here"}},
		{"a stage block, relative to the Deployfile", map[string]string{
			"Deployfile.lua": `stage("qa", function() use("./qa") end)`,
			"qa.lua":         recipe("qa"),
		}, "qa", []string{"qa"}},
		{"a recipe loaded by path, relative to its own directory", map[string]string{
			"Deployfile.lua":       `use("./lib/deploy/web")`,
			"lib/deploy/web.lua":   recipe("web") + "\nuse('./nginx')\nuse('../../top')",
			"lib/deploy/nginx.lua": recipe("nginx"),
			"top.lua":              recipe("top"),
		}, "", []string{"web", "nginx", "top"}},
		{"the same file twice, spelled three ways, loads once", map[string]string{
			"Deployfile.lua":   `use("./lib/deploy/a"); use("./lib/deploy/a.lua"); use("./lib/../lib/deploy/a")`,
			"lib/deploy/a.lua": recipe("a") + "\nuse('./a')",
		}, "", []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := loadTree(t, tt.files, tt.stage)
			if err != nil {
				t.Fatal(r.errText(err))
			}
			wantTrace(t, r, tt.want...)
		})
	}
}

func TestUseOfAMissingFileNamesTheLineAndThePathTried(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		stage string
		want  string
	}{
		{"from the Deployfile", map[string]string{"Deployfile.lua": "\nuse(\"./lib/deploy/nope\")"}, "",
			`DIR/Deployfile.lua:2: use("./lib/deploy/nope"): there is no file DIR/lib/deploy/nope.lua (the path is relative to the directory of DIR/Deployfile.lua)`},
		{"from a stage file", map[string]string{"Deployfile.lua": "", "deploy/qa.lua": `use("../nope.lua")`}, "qa",
			`DIR/deploy/qa.lua:1: use("../nope.lua"): there is no file DIR/nope.lua (the path is relative to the directory of DIR/deploy/qa.lua)`},
		{"a directory", map[string]string{"Deployfile.lua": `use("./lib")`, "lib.lua/x": ""}, "",
			`DIR/Deployfile.lua:1: use("./lib"): there is no file DIR/lib.lua (the path is relative to the directory of DIR/Deployfile.lua)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := loadTree(t, tt.files, tt.stage)
			if got := r.errText(err); got != tt.want {
				t.Errorf("error:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestRequireFindsTheDeployfilesModules(t *testing.T) {
	files := map[string]string{
		"Deployfile.lua":           `for _, m in ipairs({ "sidekiq", "puma", "helpers" }) do table.insert(trace, require(m)) end`,
		"lib/deploy/sidekiq.lua":   `return "lib/deploy/sidekiq.lua"`,
		"lib/deploy/puma/init.lua": `return "lib/deploy/puma/init.lua"`,
		"helpers.lua":              `return "helpers.lua"`,
	}
	r, err := loadTree(t, files, "")
	if err != nil {
		t.Fatal(r.errText(err))
	}
	wantTrace(t, r, "lib/deploy/sidekiq.lua", "lib/deploy/puma/init.lua", "helpers.lua")
}

func TestLocalPathsResolveFromTheDeployfile(t *testing.T) {
	files := map[string]string{"Deployfile.lua": `
local paths = require("luacap.paths")
for _, p in ipairs({ "app", "./app/", "../up", "/abs/app", "~/app" }) do
  table.insert(trace, paths.local_path(p))
end
table.insert(trace, tostring(paths.local_path(nil)))
set("copy_source", "app")
set("local_repo", function() return "repo" end)
set("archive_output", "/abs/out.tgz")
for _, name in ipairs({ "copy_source", "local_repo", "local_repo", "archive_output" }) do
  table.insert(trace, fetch(name))
end
`}
	r, err := loadTree(t, files, "", overrides(map[string]string{"archive_output": "out/a.tgz"}))
	if err != nil {
		t.Fatal(r.errText(err))
	}
	var got []string
	for _, s := range r.trace() {
		got = append(got, strings.ReplaceAll(strings.ReplaceAll(s, r.dir, "DIR"), filepath.Dir(r.dir), "PARENT"))
	}
	want := []string{"DIR/app", "DIR/app", "PARENT/up", "/abs/app", "~/app", "nil",
		"DIR/app", "DIR/repo", "DIR/repo", "DIR/out/a.tgz"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestPrepareReleaseWithARelativeArchiveOutput packs into archive_output
// beside the Deployfile, though git archive runs in local_repo.
func TestPrepareReleaseWithARelativeArchiveOutput(t *testing.T) {
	// The Deployfile as the command line finds it: a relative path, so
	// archive_output resolves to one, which git -C would read from repo.
	relative := func(dir string) string {
		cwd, _ := os.Getwd()
		rel, err := filepath.Rel(cwd, filepath.Join(dir, "Deployfile.lua"))
		if err != nil {
			t.Fatal(err)
		}
		return rel
	}
	r, err := loadTreeAs(t, map[string]string{"Deployfile.lua": `
set("application", "shop")
set("deploy_to", function() return fetch("www") end)
set("local_repo", "repo")
set("branch", "main")
set("archive_output", "out/release.tar.gz")
server("cache", { transport = "local", roles = { "intermediate_host" }, no_release = true })
`, "out/.keep": "", "repo/app.txt": "app\n"}, "", relative)
	if err != nil {
		t.Fatal(r.errText(err))
	}
	r.e.p.Vars.Set("www", lua.LString(filepath.Join(r.dir, "www")))
	for _, args := range [][]string{{"init", "-q", "-b", "main", "."}, {"add", "."}, {"commit", "-q", "-m", "app"}} {
		cmd := exec.Command("git", append([]string{"-C", filepath.Join(r.dir, "repo"), "-c", "user.name=t", "-c", "user.email=t@t"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	r.mustRun(t, "deploy:prepare_release")
	if _, err := os.Stat(filepath.Join(r.dir, "out", "release.tar.gz")); err != nil {
		t.Errorf("the archive is not at out/release.tar.gz beside the Deployfile: %v", err)
	}
	if _, err := os.Stat(filepath.Join(r.dir, "www", "current_tgz")); err != nil {
		t.Errorf("the intermediary has no current_tgz: %v", err)
	}
}

func TestARelativeDeployToIsRefused(t *testing.T) {
	tests := []struct {
		name, value string
		setups      []setup
		want        string
	}{
		{"set in the Deployfile", `"app"`, nil,
			`deploy_to is "app" (set at DIR/Deployfile.lua:2): it must be an absolute path on the servers`},
		{"a dot path", `"./www/app"`, nil, `deploy_to is "./www/app" (set at DIR/Deployfile.lua:2)`},
		{"a number", `7`, nil, `deploy_to is a number (set at DIR/Deployfile.lua:2)`},
		{"given with -s", `"/var/www/app"`, []setup{overrides(map[string]string{"deploy_to": "www"})},
			`deploy_to is "www" (given with -s deploy_to)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"Deployfile.lua": "set(\"application\", \"app\")\nset(\"deploy_to\", " + tt.value + ")\n" +
				"for _, f in ipairs({ deploy_to, current_path, release_path, shared_path }) do\n" +
				"  local ok, err = pcall(f); table.insert(trace, tostring(ok) .. \" \" .. tostring(err))\nend\n"}
			r, err := loadTree(t, files, "", tt.setups...)
			if err != nil {
				t.Fatal(r.errText(err))
			}
			got := r.trace()
			if len(got) != 4 {
				t.Fatalf("trace %q", got)
			}
			for _, line := range got {
				if line = strings.ReplaceAll(line, r.dir, "DIR"); !strings.HasPrefix(line, "false "+tt.want) {
					t.Errorf("got %q\nwant it to start with %q", line, "false "+tt.want)
				}
			}
		})
	}
}
