---@meta luacap
-- luacap's Lua API for lua-language-server. Generated from
-- runtime/engine/verbs.go (go test ./runtime/engine -update); do not edit.

---@alias luacap.Hosts luacap.Host|luacap.Host[]|string|string[]

---A host as roles(), primary() and on() give it: a plain table; its properties are fields too.
---@class luacap.Host
---@field name string the name given to server()
---@field hostname string the address luacap connects to
---@field user string
---@field port integer
---@field transport "ssh"|"local"
---@field roles string[]
---@field primary? boolean
---@field no_release? boolean gets no release
---@field [string] any a property given to server()

---The options of server() and role(); a key that is not one of them is a property.
---@class luacap.ServerProps
---@field user? string
---@field port? integer
---@field roles? string|string[]
---@field primary? boolean the host primary(role) returns
---@field no_release? boolean a host that gets no release
---@field transport? "ssh"|"local" "local": this machine, without ssh
---@field ssh_options? table over the Deployfile's ssh_options
---@field [string] any a property

---The options of task().
---@class luacap.TaskOptions
---@field roles? string|string[] the hosts of these roles
---@field hosts? string|string[] these hosts
---@field only? table<string, any> only hosts with these properties
---@field except? table<string, any> not hosts with these properties
---@field once? boolean on the first host only
---@field transaction? boolean undo every host when one fails
---@field on_error? "fail"|"continue" "continue" drops failed hosts instead of stopping
---@field on_failure? string a task to run when this one fails
---@field pipelined? boolean send commands without waiting for each to end

---The options of on().
---@class luacap.OnOptions
---@field mode? "parallel"|"sequence"|"groups"
---@field limit? integer hosts at once, in groups
---@field wait? number seconds between hosts or groups
---@field in? "parallel"|"sequence"|"groups" Capistrano's name for mode

---Sets a variable; a function value is called on first fetch and cached; a secret prints as [secret].
---@param name string
---@param value any
---@param opts? {secret?: boolean}
function set(name, value, opts) end

---Sets a default that an earlier set or -s keeps.
---@param name string
---@param value any
function set_if_empty(name, value) end

---Reads a variable; an error names it when it is missing and no default is given.
---@param name string
---@param default? any
---@return any
function fetch(name, default) end

---Appends values to a list variable.
---@param name string
---@param ... any
function append(name, ...) end

---Removes values from a list variable.
---@param name string
---@param ... any
function remove(name, ...) end

---Prompts on the terminal on first fetch (or reads LUACAP_ASK_<NAME>); an answer without echo is a secret.
---@param name string
---@param prompt string
---@param opts? {echo?: boolean, default?: any}
function ask(name, prompt, opts) end

---Returns an environment variable as a secret; an error names it when it is unset.
---@param var string
---@return string
function env_secret(var) end

---Returns deploy_to.
---@return string
function deploy_to() end

---Returns deploy_to/releases.
---@return string
function releases_path() end

---Returns deploy_to/shared.
---@return string
function shared_path() end

---Returns deploy_to/current.
---@return string
function current_path() end

---Returns this run's release: one timestamp per run, the same on every host.
---@return string
function release_path() end

---Returns deploy_to/repo, the git mirror of remote_cache.
---@return string
function repo_path() end

---Returns the newest release older than this run's, or nil.
---@return string?
function previous_release() end

---Declares a host; a key that is not an option is a property.
---@param name string
---@param props? luacap.ServerProps
function server(name, props) end

---Gives a role to each host, declaring the new ones.
---@param name string
---@param hosts string|string[]
---@param props? luacap.ServerProps
function role(name, hosts, props) end

---Returns the hosts of the roles, narrowed by --hosts and --roles and by filter/select/exclude.
---@param ... string|{filter?: string|fun(host: luacap.Host): boolean, select?: string|fun(host: luacap.Host): boolean, exclude?: string|fun(host: luacap.Host): boolean}
---@return luacap.Host[]
function roles(...) end

---Returns the primary host of a role, or nil.
---@param role string
---@return luacap.Host?
function primary(role) end

---Returns the hosts that get releases: all but no_release ones.
---@return luacap.Host[]
function release_roles() end

---Declares a stage; fn runs when the stage is named first.
---@param name string
---@param fn fun()
function stage(name, fn) end

---Prefixes the tasks defined in fn with name:.
---@param name string
---@param fn fun()
function namespace(name, fn) end

---Describes the next task, for luacap -T.
---@param text string
function desc(text) end

---Defines a task: a function, or a list of task names; defining it again replaces its body.
---@param name string
---@param opts_or_body? luacap.TaskOptions|fun(...: any)|string[]
---@param body? fun(...: any)|string[]
function task(name, opts_or_body, body) end

---Runs tasks or functions before a task.
---@param task string
---@param ... string|fun()
function before(task, ...) end

---Runs tasks or functions after a task.
---@param task string
---@param ... string|fun()
function after(task, ...) end

---Runs a task with its hooks, once per run.
---@param name string
---@param ... any
function invoke(name, ...) end

---Runs a task that already ran once more, with its hooks (Capistrano's invoke!).
---@param name string
---@param ... any
function invoke_again(name, ...) end

---Removes a task's body and hooks.
---@param name string
function clear(name) end

---Names a task after another.
---@param name string
---@param other string
function alias(name, other) end

---Loads a bundled opt-in recipe, such as passenger or rails/assets.
---@param name string
function use(name) end

---Runs fn; when anything in it fails, the undos run in reverse.
---@param fn fun()
function transaction(fn) end

---Registers an undo for the open transaction.
---@param undo string|fun()
---@param opts? {hint?: string}
function on_rollback(undo, opts) end

---Registers a cleanup run when the run ends, however it ends.
---@param cleanup string|fun()
---@param opts? {hint?: string}
function on_exit(cleanup, opts) end

---Runs fn on each host, in parallel, in sequence or in groups.
---@param hosts luacap.Hosts
---@param opts_or_fn luacap.OnOptions|fun(host: luacap.Host)
---@param fn? fun(host: luacap.Host)
function on(hosts, opts_or_fn, fn) end

---Runs a command; raises on a non-zero exit, naming each failed host.
---@param cmd string|string[]
---@param ... string|{pty?: boolean, stdin?: string}
function execute(cmd, ...) end

---Runs a command, as execute.
---@param cmd string|string[]
---@param ... string|{pty?: boolean, stdin?: string}
function run(cmd, ...) end

---Runs a command with sudo; raises on a non-zero exit.
---@param cmd string|string[]
---@param ... string|{pty?: boolean, stdin?: string}
function sudo(cmd, ...) end

---Returns whether a command exits 0; at task level on the first host.
---@param cmd string|string[]
---@param ... string
---@return boolean
function test(cmd, ...) end

---Returns a command's stdout, stripped; at task level on the first host.
---@param cmd string|string[]
---@param ... string|{dry_run?: string}
---@return string
function capture(cmd, ...) end

---Writes content to a file on each host.
---@param content string
---@param path string
---@param opts? {mode?: string}
function put(content, path, opts) end

---Copies a local file to each host.
---@param local_path string
---@param remote_path string
function upload(local_path, remote_path) end

---Copies a file from each host here.
---@param remote_path string
---@param local_path string
function download(remote_path, local_path) end

---Runs the system rsync to this host over its open connection; in the background it returns a job whose wait() returns when it has ended.
---@param local_dir string
---@param remote_dir string
---@param opts? {delete?: boolean, exclude?: string[], link_dest?: string, background?: boolean, after?: table}
---@return any
function rsync(local_dir, remote_dir, opts) end

---Inside on(): opens, ahead, the channel this host's next rsync() takes, so that its round trips overlap what runs until then.
function prepare_rsync() end

---Runs a command, or a function, on this machine; in the background it returns a job whose wait() returns the output and stop() stops it.
---@param cmd_or_fn string|string[]|fun(host: luacap.Host)
---@param ... string|{dry_run?: string, background?: boolean, after?: table}
---@return any
function run_locally(cmd_or_fn, ...) end

---Makes a directory on this machine that is removed as the run ends, however it ends.
---@param name? string
---@return string
function local_tempdir(name) end

---Runs the commands in fn in a directory.
---@param dir string
---@param fn fun()
---@return any
function within(dir, fn) end

---Runs the commands in fn with environment variables.
---@param env table<string, string>
---@param fn fun()
---@return any
function with(env, fn) end

---Runs the commands in fn as another user.
---@param user string
---@param fn fun()
---@return any
function as(user, fn) end

---Returns the user@hostname and port luacap resolved for a host.
---@param host luacap.Host|string
---@return string
---@return integer
function ssh_address(host) end

---Prints a message, with the host inside on().
---@param message string
function info(message) end
