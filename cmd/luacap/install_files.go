package main

import (
	"encoding/json"
	"io/fs"
	"path"
	"strings"

	"github.com/luacap/luacap/runtime/engine"
	"github.com/luacap/luacap/runtime/luameta"
)

// projectFiles are the files luacap install writes, in the order it
// reports them: paths are relative to the current directory.
func projectFiles(stages []string) ([]file, error) {
	files := []file{{"Deployfile.lua", deployfileTemplate}}
	for _, s := range stages {
		files = append(files, file{path.Join("deploy", s+".lua"), strings.ReplaceAll(stageTemplate, "STAGE", s)})
	}
	files = append(files, file{"lib/deploy/README.md", libReadme})
	luarc, err := luarc()
	if err != nil {
		return nil, err
	}
	files = append(files, file{".luarc.json", luarc})
	meta, err := metaFiles()
	return append(files, meta...), err
}

// metaFiles are the ---@meta files embedded in luacap, under luameta.MetaDir.
func metaFiles() ([]file, error) {
	var out []file
	err := fs.WalkDir(luameta.Files(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := fs.ReadFile(luameta.Files(), p)
		out = append(out, file{path.Join(luameta.MetaDir, p), string(src)})
		return err
	})
	return out, err
}

// luarc points lua-language-server at the meta files, for Lua 5.1 (what
// gopher-lua runs), and names the DSL's globals.
func luarc() (string, error) {
	b, err := json.MarshalIndent(struct {
		Schema    string   `json:"$schema"`
		Runtime   string   `json:"runtime.version"`
		Library   []string `json:"workspace.library"`
		ThirdPart bool     `json:"workspace.checkThirdParty"`
		Globals   []string `json:"diagnostics.globals"`
	}{
		Schema:  "https://raw.githubusercontent.com/LuaLS/vscode-lua/master/setting/schema.json",
		Runtime: "Lua 5.1", Library: []string{luameta.MetaDir}, Globals: engine.GlobalNames(),
	}, "", "  ")
	return string(b) + "\n", err
}

const deployfileTemplate = `-- Deployfile.lua: what luacap deploys, and where. The bundled deploy flow
-- (luacap --explain deploy) is loaded before this file, so it says only
-- what is particular to this app; each stage's servers are in
-- deploy/<stage>.lua.
--
--   luacap -T                          the tasks
--   luacap staging deploy --dry-run    every command for every host; runs nothing
--   luacap staging deploy              deploys
--   luacap staging deploy:rollback     back to the release before

set("application", "my_app")
set("repo_url", "git@example.com:me/my_app.git")

-- Where releases/, shared/ and current are on the servers.
set("deploy_to", "/var/www/my_app")

-- A branch, tag or commit; -s branch=NAME on the command line wins.
set("branch", "main")

-- How many releases that went live each server keeps.
set("keep_releases", 5)

-- Files and directories in shared/ that every release links to; the
-- files must exist there before the first deploy (deploy:check says).
set("linked_files", {}) -- e.g. { "config/database.yml", "config/master.key" }
set("linked_dirs", {})  -- e.g. { "log", "tmp/pids", "public/system" }

-- The servers clone the repository with your key:
-- set("ssh_options", { forward_agent = true })

-- Restarting the app: the bundled deploy:restart does nothing. For
-- Passenger, use("passenger"), or write it yourself:
-- desc("Restarts Passenger")
-- task("deploy:restart", { roles = "app" }, function()
--   run("touch " .. current_path() .. "/tmp/restart.txt")
-- end)

-- Your own recipes live in lib/deploy/ (the path is relative to where
-- you run luacap):
-- dofile("lib/deploy/my_tasks.lua")
`

const stageTemplate = `-- deploy/STAGE.lua: the servers of the stage STAGE, loaded after
-- Deployfile.lua by luacap STAGE TASK; a set() here wins over the
-- Deployfile's.
server("STAGE.example.com", { user = "deploy", roles = { "web", "app", "db" }, primary = true })
-- server("STAGE-web2.example.com", { user = "deploy", roles = { "web", "app" } })

-- set("branch", "main")
`

const libReadme = "Your own recipes: Lua files of tasks, loaded from Deployfile.lua with dofile(\"lib/deploy/NAME.lua\").\n"
