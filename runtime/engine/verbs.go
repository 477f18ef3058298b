package engine

import (
	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/project"
)

// Kind says what an entry of the DSL table is.
type Kind int

const (
	// Global is a global the prelude (or a bundled recipe) defines in Lua;
	// Go, when set, is the raw function it wraps.
	Global Kind = iota
	// Plain is a global that is its Go function, as it is.
	Plain
	// Checked is a global wrapping its Go function, which returns ok,
	// results... or false, message: the prelude raises the message at the
	// line of the user's call.
	Checked
	// Raw is a Go function only the prelude calls, as raw.<name>.
	Raw
	// Module is a Lua module written in Go: require "<name>".
	Module
	// Field is a function of a Module, named "<module>.<function>".
	Field
	// Library is a module the bundled recipes share (recipes/lib): listed
	// so that none appears unnoticed, not documented as an API.
	Library
)

// Verb is one entry of the DSL table: the one list of every name luacap
// gives Lua code. The loader registers Go from it and the prelude makes
// the Plain and Checked globals from it; the ---@meta files and the
// README's table of verbs are checked against it.
type Verb struct {
	Kind Kind
	Name string
	// Go is the raw function behind the global of the same name (or only
	// the prelude's, for a Raw); nil when the global is Lua only.
	Go func(*Engine, *lua.LState) int
	// Sig is the LuaLS type of a function: "fun(name: string): any".
	Sig string
	Doc string // one line, present tense
}

// verbs is the DSL table. A new verb is one line here and its Go
// function; only a Global needs Lua code of its own in prelude.lua.
var verbs = []Verb{
	// Variables.
	{Global, "set", loaded((*project.Project).Set), "fun(name: string, value: any, opts?: {secret?: boolean})", "Sets a variable; a function value is called on first fetch and cached; a secret prints as [secret]."},
	{Global, "set_if_empty", nil, "fun(name: string, value: any)", "Sets a default that an earlier set or -s keeps."},
	{Global, "fetch", nil, "fun(name: string, default?: any): any", "Reads a variable; an error names it when it is missing and no default is given."},
	{Global, "append", nil, "fun(name: string, ...: any)", "Appends values to a list variable."},
	{Global, "remove", nil, "fun(name: string, ...: any)", "Removes values from a list variable."},
	{Global, "ask", nil, "fun(name: string, prompt: string, opts?: {echo?: boolean, default?: any})", "Prompts on the terminal on first fetch (or reads LUACAP_ASK_<NAME>); an answer without echo is a secret."},
	{Global, "env_secret", nil, "fun(var: string): string", "Returns an environment variable as a secret; an error names it when it is unset."},
	{Raw, "var_get", loaded((*project.Project).VarGet), "", "Returns found, value, lazy for fetch."},
	{Raw, "var_begin", (*Engine).rawVarBegin, "", "Marks a lazy value as being computed."},
	{Raw, "var_cache", loaded((*project.Project).VarCache), "", "Stores a lazy value's result."},
	{Raw, "var_abandon", loaded((*project.Project).VarAbandon), "", "Forgets a lazy computation that raised."},
	{Raw, "prompt", (*Engine).rawPrompt, "", "Reads ask()'s answer."},
	{Raw, "secret", (*Engine).rawSecret, "", "Masks a value as [secret] from now on."},
	{Raw, "caught", (*Engine).rawCaught, "", "Forgets the failure a pcall caught."},
	{Raw, "var_has", loaded((*project.Project).VarHas), "", "Reports whether a variable is set, without counting as a read."},

	// The Capistrano layout.
	{Global, "deploy_to", nil, "fun(): string", "Returns deploy_to."},
	{Global, "releases_path", nil, "fun(): string", "Returns deploy_to/releases."},
	{Global, "shared_path", nil, "fun(): string", "Returns deploy_to/shared."},
	{Global, "current_path", nil, "fun(): string", "Returns deploy_to/current."},
	{Global, "release_path", nil, "fun(): string", "Returns this run's release: one timestamp per run, the same on every host."},
	{Global, "repo_path", nil, "fun(): string", "Returns deploy_to/repo, the git mirror of remote_cache."},
	{Global, "previous_release", nil, "fun(): string?", "Returns the newest release older than this run's, or nil."},

	// Hosts and stages.
	{Plain, "server", loaded((*project.Project).Server), "fun(name: string, props?: luacap.ServerProps)", "Declares a host; a key that is not an option is a property."},
	{Plain, "role", loaded((*project.Project).Role), "fun(name: string, hosts: string|string[], props?: luacap.ServerProps)", "Gives a role to each host, declaring the new ones."},
	{Plain, "roles", (*Engine).luaRoles, "fun(...: string|{filter?: string|fun(host: luacap.Host): boolean, select?: string|fun(host: luacap.Host): boolean, exclude?: string|fun(host: luacap.Host): boolean}): luacap.Host[]", "Returns the hosts of the roles, narrowed by --hosts and --roles and by filter/select/exclude."},
	{Plain, "primary", (*Engine).luaPrimary, "fun(role: string): luacap.Host?", "Returns the primary host of a role, or nil."},
	{Global, "release_roles", nil, "fun(): luacap.Host[]", "Returns the hosts that get releases: all but no_release ones."},
	{Plain, "stage", loaded((*project.Project).Stage), "fun(name: string, fn: fun())", "Declares a stage; fn runs when the stage is named first."},

	// Tasks.
	{Plain, "namespace", loaded((*project.Project).Namespace), "fun(name: string, fn: fun())", "Prefixes the tasks defined in fn with name:."},
	{Plain, "desc", loaded((*project.Project).Desc), "fun(text: string)", "Describes the next task, for luacap -T."},
	{Plain, "task", loaded((*project.Project).Task), "fun(name: string, opts_or_body?: luacap.TaskOptions|fun(...: any)|string[], body?: fun(...: any)|string[])", "Defines a task: a function, or a list of task names; defining it again replaces its body."},
	{Plain, "before", loaded((*project.Project).Before), "fun(task: string, ...: string|fun())", "Runs tasks or functions before a task."},
	{Plain, "after", loaded((*project.Project).After), "fun(task: string, ...: string|fun())", "Runs tasks or functions after a task."},
	{Plain, "invoke", (*Engine).luaInvoke, "fun(name: string, ...: any)", "Runs a task with its hooks, once per run."},
	{Plain, "invoke_again", (*Engine).luaInvokeAgain, "fun(name: string, ...: any)", "Runs a task that already ran once more, with its hooks (Capistrano's invoke!)."},
	{Plain, "clear", loaded((*project.Project).Clear), "fun(name: string)", "Removes a task's body and hooks."},
	{Plain, "alias", loaded((*project.Project).Alias), "fun(name: string, other: string)", "Names a task after another."},
	{Plain, "use", loaded((*project.Project).Use), "fun(name: string)", "Loads a bundled opt-in recipe, such as passenger or rails/assets."},

	// Transactions and cleanups.
	{Plain, "transaction", (*Engine).luaTransaction, "fun(fn: fun())", "Runs fn; when anything in it fails, the undos run in reverse."},
	{Plain, "on_rollback", (*Engine).luaOnRollback, "fun(undo: string|fun(), opts?: {hint?: string})", "Registers an undo for the open transaction."},
	{Plain, "on_exit", (*Engine).luaOnExit, "fun(cleanup: string|fun(), opts?: {hint?: string})", "Registers a cleanup run when the run ends, however it ends."},

	// Commands.
	{Global, "on", (*Engine).rawOn, "fun(hosts: luacap.Hosts, opts_or_fn: luacap.OnOptions|fun(host: luacap.Host), fn?: fun(host: luacap.Host))", "Runs fn on each host, in parallel, in sequence or in groups."},
	{Checked, "execute", (*Engine).rawExecute, "fun(cmd: string|string[], ...: string|{pty?: boolean, stdin?: string})", "Runs a command; raises on a non-zero exit, naming each failed host."},
	{Global, "run", nil, "fun(cmd: string|string[], ...: string|{pty?: boolean, stdin?: string})", "Runs a command, as execute."},
	{Checked, "sudo", (*Engine).rawSudo, "fun(cmd: string|string[], ...: string|{pty?: boolean, stdin?: string})", "Runs a command with sudo; raises on a non-zero exit."},
	{Checked, "test", (*Engine).rawTest, "fun(cmd: string|string[], ...: string): boolean", "Returns whether a command exits 0; at task level on the first host."},
	{Checked, "capture", (*Engine).rawCapture, "fun(cmd: string|string[], ...: string|{dry_run?: string}): string", "Returns a command's stdout, stripped; at task level on the first host."},
	{Checked, "put", (*Engine).rawPut, "fun(content: string, path: string, opts?: {mode?: string})", "Writes content to a file on each host."},
	{Checked, "upload", (*Engine).rawUpload, "fun(local_path: string, remote_path: string)", "Copies a local file to each host."},
	{Checked, "download", (*Engine).rawDownload, "fun(remote_path: string, local_path: string)", "Copies a file from each host here."},
	{Global, "rsync", (*Engine).rawRsync, "fun(local_dir: string, remote_dir: string, opts?: {delete?: boolean, exclude?: string[], link_dest?: string, background?: boolean, after?: table}): any", "Runs the system rsync to this host over its open connection; in the background it returns a job whose wait() returns when it has ended."},
	{Checked, "prepare_rsync", (*Engine).rawPrepareRsync, "fun()", "Inside on(): opens, ahead, the channel this host's next rsync() takes, so that its round trips overlap what runs until then."},
	{Global, "run_locally", (*Engine).rawRunLocally, "fun(cmd_or_fn: string|string[]|fun(host: luacap.Host), ...: string|{dry_run?: string, background?: boolean, after?: table}): any", "Runs a command, or a function, on this machine; in the background it returns a job whose wait() returns the output and stop() stops it."},
	{Plain, "local_tempdir", (*Engine).luaLocalTempdir, "fun(name?: string): string", "Makes a directory on this machine that is removed as the run ends, however it ends."},
	{Raw, "wait_local", (*Engine).rawWaitLocal, "", "Waits for a background command."},
	{Raw, "stop_local", (*Engine).rawStopLocal, "", "Stops a background command."},
	{Raw, "on_local", (*Engine).rawOnLocal, "", "Runs run_locally's function as a fiber on this machine."},
	{Global, "within", nil, "fun(dir: string, fn: fun()): any", "Runs the commands in fn in a directory."},
	{Global, "with", nil, "fun(env: table<string, string>, fn: fun()): any", "Runs the commands in fn with environment variables."},
	{Global, "as", nil, "fun(user: string, fn: fun()): any", "Runs the commands in fn as another user."},
	{Raw, "ctx_push", (*Engine).rawCtxPush, "", "Opens a within, with or as scope."},
	{Raw, "ctx_pop", (*Engine).rawCtxPop, "", "Closes scopes back to a depth."},
	{Checked, "ssh_address", (*Engine).rawSSHAddress, "fun(host: luacap.Host|string): string, integer", "Returns the user@hostname and port luacap resolved for a host."},
	{Plain, "info", (*Engine).luaInfo, "fun(message: string)", "Prints a message, with the host inside on()."},

	// Modules.
	{Module, "luacap.shell", nil, "", "Quotes words for a POSIX shell."},
	{Field, "luacap.shell.quote", nil, "fun(word: string): string", "Returns word as one shell word."},
	{Field, "luacap.shell.join", nil, "fun(words: string[]): string", "Quotes each word and joins them with spaces."},
	{Module, "luacap.release", nil, "", "The rules release names follow."},
	{Field, "luacap.release.valid_release_name", nil, "fun(name: any): boolean, string?", "Returns true, or false and why name cannot be a release name."},
	{Module, "luacap.paths", nil, "", "Paths as the settings mean them: local ones from the Deployfile's directory, remote ones absolute."},
	{Field, "luacap.paths.local_path", nil, "fun(p: string?): string?", "Returns p resolved against the Deployfile's directory."},
	{Field, "luacap.paths.absolute", nil, "fun(p: string?): string?", "Returns p made absolute, for tools that change directory (git -C)."},
	{Field, "luacap.paths.real", nil, "fun(p: string?): string?", "Returns p made absolute with its symbolic links resolved: one name for one directory however it was reached."},
	{Field, "luacap.paths.remote_dir", nil, "fun(name: string, value: any): string?, string?", "Returns value, or nil and an error naming where name was set, unless value is an absolute path."},
	{Library, "luacap.recipes.releases", nil, "", "What a release is, what each host has, switching current: shared by the bundled recipes."},
	{Library, "luacap.recipes.release_names", nil, "", "Choosing release names: shared by the bundled recipes."},
	{Library, "luacap.recipes.migrations", nil, "", "Whether migrations changed since the release in current: conditionally_migrate."},
	{Library, "luacap.recipes.deploy_lock", nil, "", "The deploy lock's scripts: taking it, giving it back, removing a stale one."},
	{Library, "luacap.recipes.asset_sets", nil, "", "The asset sets of assets_shared: serving in shared/ the set of the release in current."},
}

// loaded adapts a verb the project implements (loading: variables,
// servers, tasks, stages, recipes) to the table's shape.
func loaded(fn func(*project.Project, *lua.LState) int) func(*Engine, *lua.LState) int {
	return func(e *Engine, L *lua.LState) int { return fn(e.p, L) }
}

// Verbs returns the DSL table, in its order.
func Verbs() []Verb { return append([]Verb(nil), verbs...) }

// GlobalNames returns the name of every DSL global, in the table's order.
func GlobalNames() []string {
	var out []string
	for _, v := range verbs {
		if v.global() {
			out = append(out, v.Name)
		}
	}
	return out
}

func (v Verb) global() bool { return v.Kind == Global || v.Kind == Plain || v.Kind == Checked }

// rawTables are what the prelude receives: every Go function of the table
// by name, and how each Plain and Checked global wraps its own.
func (e *Engine) rawTables() (raw, wraps *lua.LTable) {
	L := e.p.Lua()
	raw, wraps = L.NewTable(), L.NewTable()
	for _, v := range verbs {
		if v.Go != nil {
			fn := v.Go
			raw.RawSetString(v.Name, L.NewFunction(func(L *lua.LState) int { return fn(e, L) }))
		}
		switch v.Kind {
		case Plain:
			wraps.RawSetString(v.Name, lua.LString("plain"))
		case Checked:
			wraps.RawSetString(v.Name, lua.LString("checked"))
		}
	}
	return raw, wraps
}
