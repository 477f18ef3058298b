package main

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/luacap/luacap/runtime/output"
)

// config is what the command line asks for.
type config struct {
	tasksList, all, dryRun, verbose, quiet, version, help bool
	explain, show, file                                   string
	format, color, log                                    string
	complete                                              bool
	getenv                                                func(string) string
	lockWait                                              int
	hosts, roles, sets                                    []string
	maxHosts                                              int
	args                                                  []string
}

func parseFlags(args []string, env func(string) string) (*config, *pflag.FlagSet, error) {
	c := &config{getenv: env}
	fs := pflag.NewFlagSet("luacap", pflag.ContinueOnError)
	fs.SetOutput(new(strings.Builder)) // errors are returned, not printed twice
	fs.BoolVarP(&c.tasksList, "tasks", "T", false, "list the described tasks")
	fs.BoolVarP(&c.all, "all", "A", false, "with -T, list every task")
	fs.StringVar(&c.explain, "explain", "", "print the tree of tasks and hooks `TASK` runs")
	fs.StringVar(&c.show, "show", "", "print the Lua source of `TASK`, with the locals it uses, and the file it comes from")
	fs.IntVar(&c.lockWait, "lock-wait", 0, "wait up to `SECONDS` for another deploy's lock")
	fs.BoolVarP(&c.dryRun, "dry-run", "n", false, "print every command for every host; run nothing")
	fs.StringSliceVar(&c.hosts, "hosts", nil, "only these hosts (comma list, globs); also $HOSTS")
	fs.StringSliceVar(&c.roles, "roles", nil, "only hosts of these roles (comma list); also $ROLES")
	fs.StringArrayVarP(&c.sets, "set", "s", nil, "set a variable, `name=value`; wins over the Deployfile")
	fs.StringVarP(&c.file, "file", "f", "", "the Deployfile (default: Deployfile.lua here or in a parent)")
	fs.IntVar(&c.maxHosts, "max-hosts", 0, "at most `N` hosts in flight at once (0: no bound)")
	fs.BoolVarP(&c.verbose, "verbose", "v", false, "print every command and its output, host by host (--format verbose)")
	fs.BoolVarP(&c.quiet, "quiet", "q", false, "print only failures, warnings and the closing line")
	fs.StringVar(&c.format, "format", "", "`pretty`, verbose or json (one JSON object per event); also $LUACAP_FORMAT")
	fs.StringVar(&c.color, "color", "auto", "`auto` (a terminal, unless $NO_COLOR), always or never")
	fs.StringVar(&c.log, "log", "", "append the run's full log to `FILE` (default log/luacap.log beside the Deployfile; - for none)")
	fs.BoolVar(&c.complete, "complete", false, "print the stages and tasks, for shell completion")
	_ = fs.MarkHidden("complete")
	fs.BoolVar(&c.version, "version", false, "print the version")
	fs.BoolVarP(&c.help, "help", "h", false, "print this help")
	fs.SetInterspersed(true)
	if err := fs.Parse(args); err != nil {
		return nil, fs, usageError{fmt.Sprintf("%v; luacap --help lists the flags", err)}
	}
	c.args = fs.Args()
	if len(c.hosts) == 0 && env("HOSTS") != "" {
		c.hosts = strings.Split(env("HOSTS"), ",")
	}
	if len(c.roles) == 0 && env("ROLES") != "" {
		c.roles = strings.Split(env("ROLES"), ",")
	}
	if c.verbose && c.quiet {
		return nil, fs, usageError{"--verbose and --quiet cannot be used together"}
	}
	if err := c.checkOutput(env); err != nil {
		return nil, fs, err
	}
	return c, fs, nil
}

// checkOutput settles --format (from $LUACAP_FORMAT when not given) and
// checks --format and --color against what they take.
func (c *config) checkOutput(env func(string) string) error {
	if c.format == "" {
		c.format = env("LUACAP_FORMAT")
	}
	if c.format == "" {
		c.format = string(output.FormatPretty)
	}
	if !slices.Contains(output.Formats, output.Format(c.format)) {
		return usageError{fmt.Sprintf("--format %q: use pretty, verbose or json", c.format)}
	}
	if !slices.Contains([]string{"auto", "always", "never"}, c.color) {
		return usageError{fmt.Sprintf("--color=%q: use auto, always or never", c.color)}
	}
	return nil
}

// overrides reads -s name=value pairs.
func (c *config) overrides() (map[string]string, error) {
	out := map[string]string{}
	for _, s := range c.sets {
		name, value, ok := strings.Cut(s, "=")
		if !ok || name == "" {
			return nil, usageError{fmt.Sprintf("-s %q: write it as -s name=value", s)}
		}
		out[name] = value
	}
	if c.lockWait > 0 {
		out["lock_wait"] = fmt.Sprint(c.lockWait)
	}
	return out, nil
}

func usage(fs *pflag.FlagSet) string {
	return "usage: luacap [stage] task [task...] [flags]\n       luacap doctor [STAGE]\n       luacap completion bash|zsh|fish\n" +
		"       luacap install [--stages staging,production]\n       luacap meta [MODULE]\n\nflags:\n" +
		fs.FlagUsages() + examples
}

const examples = `
examples:
  luacap -T                                  the tasks the Deployfile describes
  luacap production deploy                   deploy the stage production
  luacap production deploy --dry-run         print every command; run nothing
  luacap production deploy:rollback          back to the release before
  luacap production deploy -v                every command and its output, host by host
  luacap production deploy --format json     one JSON object per event, for CI
  luacap staging deploy --hosts 'web*'       only the hosts matching web*
  luacap --explain deploy                    the tasks and hooks deploy runs
  luacap doctor production                   settings, servers, and what each host answers; changes nothing
  source <(luacap completion bash)           complete stages, tasks and flags in bash

The full log of a run is appended to log/luacap.log beside the Deployfile.
Exit codes: 0 ok, 1 a task failed, 2 usage or Deployfile error, 130 interrupted.
`

func getenv(env map[string]string) func(string) string {
	if env == nil {
		return os.Getenv
	}
	return func(k string) string { return env[k] }
}
