package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"golang.org/x/term"

	"github.com/luacap/luacap/recipes"
	"github.com/luacap/luacap/runtime/backend/netssh"
	"github.com/luacap/luacap/runtime/engine"
	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/output"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

type stdio struct {
	in       *os.File
	out, err io.Writer
}

// hooks lets tests fix what a real run takes from the world.
type hooks struct {
	now     func() time.Time // the clock; it also names the release
	signals <-chan os.Signal // nil: SIGINT, SIGTERM and SIGHUP
}

// run is luacap without os.Exit: it returns the exit code.
func run(args []string, io stdio, env map[string]string) int {
	return runWith(args, io, env, hooks{})
}

func runWith(args []string, io stdio, env map[string]string, h hooks) (code int) {
	defer func() {
		if r := recover(); r != nil { // a bug in luacap, never the user's input
			fmt.Fprintf(io.err, "luacap: internal error: %v\nThis is a bug in luacap; please report it with the command you ran.\n", r)
			code = exitInternal
		}
	}()
	c, fs, err := parseFlags(args, getenv(env))
	if err != nil {
		return exitCode(io.err, err)
	}
	switch {
	case c.help:
		fmt.Fprint(io.out, usage(fs))
		return exitOK
	case c.version:
		fmt.Fprintln(io.out, "luacap", version)
		return exitOK
	case isSSHConfig(c):
		return exitCode(io.err, sshConfig(c, io))
	}
	return exitCode(io.err, execute(c, io, h))
}

func execute(c *config, io stdio, h hooks) error {
	overrides, err := c.overrides()
	if err != nil {
		return err
	}
	now := h.now
	if now == nil {
		now = time.Now
	}
	out := output.New(io.out, output.Options{Level: level(c), Color: isTerminal(io.out), Now: now})
	ctx, abort, stop := signalContexts(h.signals, out)
	dialer := &netssh.Dialer{Prompt: secretPrompter(io), Warn: out.Warn}
	defer stop()
	e, err := engine.New(engine.Options{
		Out: out, DryRun: c.dryRun, Filter: host.Filter{Hosts: c.hosts, Roles: c.roles},
		MaxHosts: c.maxHosts, Overrides: overrides, Now: now(), Prompt: prompter(io), AbortCtx: abort, Ctx: ctx,
		SSH: netssh.Transport{Dialer: dialer},
	})
	if err != nil {
		return err
	}
	defer e.Close()
	taskNames, err := load(e, c)
	if err != nil {
		return err
	}
	err = dispatch(ctx, e, c, io, taskNames)
	if sent := dialer.BytesSent(); sent > 0 {
		fmt.Fprintf(io.out, "  sent over ssh: %d bytes\n", sent)
	}
	return err
}

// load reads the Deployfile and the stage, returning the tasks to run.
func load(e *engine.Engine, c *config) ([]string, error) {
	file := c.file
	if file == "" {
		dir, err := os.Getwd()
		if err != nil {
			return nil, err
		}
		found, err := findDeployfile(dir)
		if err != nil {
			return nil, err
		}
		file = found
	}
	if err := e.LoadRecipes(recipes.FS, recipes.Core); err != nil {
		return nil, err
	}
	if err := e.LoadFile(file); err != nil {
		return nil, err
	}
	args := c.args
	if len(args) > 0 && slices.Contains(e.Stages(), args[0]) {
		if err := e.UseStage(args[0]); err != nil {
			return nil, err
		}
		args = args[1:]
	}
	return args, nil
}

func dispatch(ctx context.Context, e *engine.Engine, c *config, io stdio, names []string) error {
	switch {
	case c.tasksList:
		fmt.Fprint(io.out, e.TaskList(c.all))
		return nil
	case c.explain != "":
		tree, err := e.Explain(c.explain)
		fmt.Fprint(io.out, tree)
		return err
	case c.show != "":
		src, err := e.Show(c.show)
		fmt.Fprint(io.out, src)
		return err
	case len(names) == 0:
		return usageError{"no task given; luacap -T lists the tasks" + stagesHint(e)}
	}
	err := e.Run(ctx, names)
	e.Out().Summary()
	// On stderr, just above the final error, which points at it.
	for _, line := range e.Unfinished() {
		fmt.Fprintln(io.err, line)
	}
	return err
}

func stagesHint(e *engine.Engine) string {
	if stages := e.Stages(); len(stages) > 0 {
		return fmt.Sprintf(", and the stages are %v", stages)
	}
	return ""
}

func level(c *config) output.Level {
	switch {
	case c.quiet:
		return output.Quiet
	case c.verbose:
		return output.Verbose
	}
	return output.Normal
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// secretPrompter reads key passphrases from the terminal, or is nil.
func secretPrompter(io stdio) netssh.Prompt {
	ask := prompter(io)
	if ask == nil {
		return nil
	}
	return func(prompt string) (string, error) { return ask(prompt, false) }
}

// prompter reads ask() answers from the terminal, or is nil without one.
func prompter(io stdio) func(string, bool) (string, error) {
	if io.in == nil || !term.IsTerminal(int(io.in.Fd())) {
		return nil
	}
	return func(prompt string, echo bool) (string, error) {
		fmt.Fprint(io.err, prompt+" ")
		if !echo {
			b, err := term.ReadPassword(int(io.in.Fd()))
			fmt.Fprintln(io.err)
			return string(b), err
		}
		var line string
		_, err := fmt.Fscanln(io.in, &line)
		return line, err
	}
}
