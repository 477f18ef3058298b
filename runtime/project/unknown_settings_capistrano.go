package project

import "strings"

// capistranoSettings are Capistrano 3 settings (and its common plugins')
// that luacap does not read, with luacap's way where it has one: a
// ported deploy.rb keeps them, and they would otherwise do nothing
// without a word.
var capistranoSettings = map[string]string{
	"default_env":      `luacap has no default environment: wrap the commands in with({ NAME = "value" }, function() ... end)`,
	"format":           "luacap's output is chosen with --format pretty|verbose|json (or LUACAP_FORMAT)",
	"format_options":   "luacap's output is chosen with --format pretty|verbose|json (or LUACAP_FORMAT)",
	"log_level":        "luacap prints every command and its output with -v, only failures with -q",
	"pty":              "pass { pty = true } to the one execute() that needs a terminal",
	"scm":              `luacap deploys from git; deploy_via chooses how ("remote_cache", "copy", "intermediate_host")`,
	"git_strategy":     `luacap deploys from git; deploy_via chooses how ("remote_cache", "copy", "intermediate_host")`,
	"git_wrapper_path": "luacap needs no git wrapper: ssh_options = { forward_agent = true } lets servers clone with your key",
	"tmp_dir":          "luacap keeps no temporary directory on the servers",
	"migration_role":   `luacap's name for it is migrate_role`,
	"assets_prefix":    `use("rails/assets_local") reads assets_dir (default "public/assets")`,
}

// capistranoPrefixes are plugin families luacap has no counterpart for.
var capistranoPrefixes = []struct{ prefix, hint string }{
	{"rbenv_", `luacap has no rbenv support: call it in your commands ("~/.rbenv/bin/rbenv exec bundle ...")`},
	{"rvm_", `luacap has no rvm support: call it in your commands ("~/.rvm/bin/rvm default do bundle ...")`},
	{"chruby_", `luacap has no chruby support: call it in your commands ("chruby-exec RUBY -- bundle ...")`},
	{"bundle_", "luacap runs no bundle install of its own: run it in a task hooked after deploy:updated"},
	{"passenger_", `use("passenger") restarts by touching tmp/restart.txt; define deploy:restart for another way`},
}

// capistranoHint is luacap's way for a Capistrano setting, or "".
func capistranoHint(name string) string {
	if hint, ok := capistranoSettings[name]; ok {
		return "a Capistrano setting luacap does not read; " + hint
	}
	for _, p := range capistranoPrefixes {
		if strings.HasPrefix(name, p.prefix) {
			return "a Capistrano plugin's setting luacap does not read; " + p.hint
		}
	}
	return ""
}
