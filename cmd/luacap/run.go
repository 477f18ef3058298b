package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
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
	// noDefaultLog keeps tests from writing log/luacap.log beside the
	// repository's Deployfiles; --log and log_file still apply.
	noDefaultLog bool
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
	if isRsyncShell(args) {
		return rsyncShell(args, io)
	}
	if isInstall(args) { // its own flags: before the run's are parsed
		return exitCode(io.err, install(args[1:], io.out))
	}
	c, fs, err := parseFlags(args, getenv(env))
	if err != nil {
		return exitCode(io.err, err)
	}
	switch {
	case c.help:
		fmt.Fprint(io.out, usage(fs))
		return exitOK
	case c.version:
		fmt.Fprint(io.out, printVersion())
		return exitOK
	case isMeta(c):
		return exitCode(io.err, printMeta(c, io.out))
	case isSSHConfig(c):
		return exitCode(io.err, sshConfig(c, io))
	case isCompletion(c):
		return exitCode(io.err, completion(c, fs, io.out))
	case c.complete:
		listCompletions(c, io.out)
		return exitOK
	}
	return exitCode(io.err, execute(c, io, h))
}

func execute(c *config, io stdio, h hooks) (err error) {
	overrides, err := c.overrides()
	if err != nil {
		return err
	}
	now := h.now
	if now == nil {
		now = time.Now
	}
	opts := outputOptions(c, io.out, c.getenv)
	opts.Now = now
	out := output.New(io.out, opts)
	defer out.Close()
	defer func() { err = masked(out, err) }() // no secret in the final error
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
	return dispatch(ctx, e, c, io, taskNames, &report{hooks: h, sent: dialer.BytesSent})
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
		c.file = found // the log file goes beside it
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

func dispatch(ctx context.Context, e *engine.Engine, c *config, io stdio, names []string, r *report) error {
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
	case isDoctor(names):
		return doctor(ctx, e, names, io)
	}
	err := r.run(ctx, e, c, names)
	// On stderr, just above the final error, which points at it.
	for _, line := range e.Unfinished() {
		fmt.Fprintln(io.err, output.Escape(e.Out().Mask(line)))
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
// An answer is a whole line, spaces kept; Enter alone answers "", which
// ask() takes as its default.
func prompter(io stdio) func(string, bool) (string, error) {
	if io.in == nil || !term.IsTerminal(int(io.in.Fd())) {
		return nil
	}
	in := bufio.NewReader(io.in)
	return func(prompt string, echo bool) (string, error) {
		fmt.Fprint(io.err, prompt+" ")
		if !echo {
			b, err := term.ReadPassword(int(io.in.Fd()))
			fmt.Fprintln(io.err)
			return string(b), err
		}
		return readLine(in)
	}
}

// readLine reads one line without its end; a last line without a
// newline counts, an input that ended before any is an error.
func readLine(in *bufio.Reader) (string, error) {
	line, err := in.ReadString('\n')
	if err != nil && (line == "" || !errors.Is(err, io.EOF)) {
		return "", fmt.Errorf("no answer: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}
