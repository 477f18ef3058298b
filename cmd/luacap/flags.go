package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/pflag"
)

// config is what the command line asks for.
type config struct {
	tasksList, all, dryRun, verbose, quiet, version, help bool
	explain, show, file                                   string
	lockWait                                              int
	hosts, roles, sets                                    []string
	maxHosts                                              int
	args                                                  []string
}

func parseFlags(args []string, env func(string) string) (*config, *pflag.FlagSet, error) {
	c := &config{}
	fs := pflag.NewFlagSet("luacap", pflag.ContinueOnError)
	fs.SetOutput(new(strings.Builder)) // errors are returned, not printed twice
	fs.BoolVarP(&c.tasksList, "tasks", "T", false, "list the described tasks")
	fs.BoolVarP(&c.all, "all", "A", false, "with -T, list every task")
	fs.StringVar(&c.explain, "explain", "", "print the tree of tasks and hooks `TASK` runs")
	fs.StringVar(&c.show, "show", "", "print the Lua source of `TASK` and the file it comes from")
	fs.IntVar(&c.lockWait, "lock-wait", 0, "wait up to `SECONDS` for another deploy's lock")
	fs.BoolVarP(&c.dryRun, "dry-run", "n", false, "print every command for every host; run nothing")
	fs.StringSliceVar(&c.hosts, "hosts", nil, "only these hosts (comma list, globs); also $HOSTS")
	fs.StringSliceVar(&c.roles, "roles", nil, "only hosts of these roles (comma list); also $ROLES")
	fs.StringArrayVarP(&c.sets, "set", "s", nil, "set a variable, `name=value`; wins over the Deployfile")
	fs.StringVarP(&c.file, "file", "f", "", "the Deployfile (default: Deployfile.lua here or in a parent)")
	fs.IntVar(&c.maxHosts, "max-hosts", 0, "at most `N` hosts in flight at once (0: no bound)")
	fs.BoolVarP(&c.verbose, "verbose", "v", false, "print more: hosts chosen, tasks skipped")
	fs.BoolVarP(&c.quiet, "quiet", "q", false, "print only failures and the summary")
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
	return c, fs, nil
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
	return "usage: luacap [stage] task [task...] [flags]\n\nflags:\n" + fs.FlagUsages()
}

func getenv(env map[string]string) func(string) string {
	if env == nil {
		return os.Getenv
	}
	return func(k string) string { return env[k] }
}
