package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/luacap/luacap/recipes"
	"github.com/luacap/luacap/runtime/engine"
	"github.com/luacap/luacap/runtime/output"
)

// installCommand is `luacap install [--stages a,b]`, Capistrano's
// `cap install STAGES=a,b`: it writes a Deployfile, the stage files and
// the editor's setup into the current directory, never over a file.
const installCommand = "install"

func isInstall(args []string) bool { return len(args) > 0 && args[0] == installCommand }

// subcommands are the first words luacap takes as commands, not stages.
var subcommands = []string{installCommand, metaCommand, "completion", sshConfigCommand}

// stageName is what a stage is called: it names deploy/<stage>.lua and
// is typed on the command line.
var stageName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)

// file is one file install writes.
type file struct{ path, content string }

func install(args []string, w io.Writer) error {
	stages, err := installFlags(args)
	if err != nil {
		return err
	}
	if err := checkStages(stages); err != nil {
		return err
	}
	files, err := projectFiles(stages)
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := writeNew(f, w); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "next: edit Deployfile.lua and deploy/%s.lua, then luacap %s deploy --dry-run\n", stages[0], stages[0])
	return nil
}

func installFlags(args []string) ([]string, error) {
	fs := pflag.NewFlagSet("luacap install", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	stages := fs.StringSlice("stages", []string{"staging", "production"}, "the stages, one deploy/STAGE.lua each")
	if err := fs.Parse(args); err != nil {
		return nil, usageError{fmt.Sprintf("luacap install: %v; write it as luacap install [--stages staging,production]", err)}
	}
	if fs.NArg() > 0 {
		return nil, usageError{fmt.Sprintf("luacap install takes no %q; write it as luacap install [--stages staging,production]", fs.Arg(0))}
	}
	if len(*stages) == 0 {
		return nil, usageError{"--stages: name at least one stage for luacap install, e.g. --stages staging,production"}
	}
	return *stages, nil
}

// checkStages refuses, before anything is written, a stage name that is
// not one plain word, or that luacap would read as a task or a command.
func checkStages(stages []string) error {
	taken, err := bundledTaskWords()
	if err != nil {
		return err
	}
	for i, s := range stages {
		switch {
		case !stageName.MatchString(s):
			return usageError{fmt.Sprintf("--stages %q: a stage name is letters, digits, '_' and '-', starting with a letter or a digit (it names deploy/<stage>.lua)", s)}
		case slices.Contains(taken, s) || slices.Contains(subcommands, s):
			return usageError{fmt.Sprintf("--stages %q: %s is a task or a luacap command, so luacap %s would not be a stage; name the stage otherwise", s, s, s)}
		case slices.Contains(stages[:i], s):
			return usageError{fmt.Sprintf("--stages: %q is named twice", s)}
		}
	}
	return nil
}

// bundledTaskWords are the bundled tasks' names and namespaces (deploy,
// deploy:check's deploy): words a stage cannot be.
func bundledTaskWords() ([]string, error) {
	e, err := engine.New(engine.Options{Out: output.New(io.Discard, output.Options{})})
	if err != nil {
		return nil, err
	}
	defer e.Close()
	if err := e.LoadRecipes(recipes.FS, recipes.Core); err != nil {
		return nil, err
	}
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(e.TaskList(true)), "\n") {
		name, _, _ := strings.Cut(strings.TrimPrefix(line, "luacap "), " ")
		first, _, _ := strings.Cut(name, ":")
		out = append(out, name, first)
	}
	return out, nil
}

// writeNew writes f unless something is at its path, and says which.
func writeNew(f file, w io.Writer) error {
	if _, err := os.Lstat(f.path); err == nil {
		fmt.Fprintf(w, "exists, kept  %s\n", f.path)
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(f.path), 0o755); err != nil {
		return fmt.Errorf("luacap install: %w; check the permissions of the current directory", err)
	}
	out, err := os.OpenFile(f.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) { // made since the check: still never overwritten
		fmt.Fprintf(w, "exists, kept  %s\n", f.path)
		return nil
	}
	if err != nil {
		return fmt.Errorf("luacap install: %w; check the permissions of the current directory", err)
	}
	_, err = io.WriteString(out, f.content)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("luacap install: writing %s: %w", f.path, err)
	}
	fmt.Fprintf(w, "wrote         %s\n", f.path)
	return nil
}
