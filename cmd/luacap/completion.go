package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/luacap/luacap/runtime/engine"
	"github.com/luacap/luacap/runtime/output"
)

// completionShells are the shells `luacap completion SHELL` writes for.
var completionShells = []string{"bash", "zsh", "fish"}

// isCompletion reports `luacap completion ...`.
func isCompletion(c *config) bool { return len(c.args) > 0 && c.args[0] == "completion" }

// completion writes the script for the shell named. Each script asks
// `luacap --complete` for the stages and tasks of the Deployfile found
// from the current directory (or -f), and knows the flags.
func completion(c *config, fs *pflag.FlagSet, w io.Writer) error {
	if len(c.args) != 2 || !slices.Contains(completionShells, c.args[1]) {
		return usageError{"write it as luacap completion bash, zsh or fish"}
	}
	switch c.args[1] {
	case "bash":
		fmt.Fprint(w, strings.ReplaceAll(bashScript, "@FLAGS@", strings.Join(flagWords(fs), " ")))
	case "zsh":
		fmt.Fprint(w, strings.ReplaceAll(zshScript, "@FLAGS@", strings.Join(flagWords(fs), " ")))
	case "fish":
		fmt.Fprint(w, fishScript+fishFlags(fs))
	}
	return nil
}

// flagWords is every visible flag as the shell completes it.
func flagWords(fs *pflag.FlagSet) []string {
	var out []string
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		out = append(out, "--"+f.Name)
		if f.Shorthand != "" {
			out = append(out, "-"+f.Shorthand)
		}
	})
	return out
}

// fishFlags is a `complete` line per flag, with its help as description.
func fishFlags(fs *pflag.FlagSet) string {
	var b strings.Builder
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden || f.Name == "format" || f.Name == "color" { // in fishScript, with their values
			return
		}
		fmt.Fprintf(&b, "complete -c luacap -l %s", f.Name)
		if f.Shorthand != "" {
			fmt.Fprintf(&b, " -s %s", f.Shorthand)
		}
		if f.Value.Type() != "bool" {
			b.WriteString(" -r")
		}
		_, help := pflag.UnquoteUsage(f)
		fmt.Fprintf(&b, " -d '%s'\n", strings.ReplaceAll(help, "'", `\'`))
	})
	return b.String()
}

// listCompletions prints "name<TAB>description" for every stage and
// task. A Deployfile that does not load completes nothing, silently.
func listCompletions(c *config, w io.Writer) {
	e, err := engine.New(engine.Options{Out: output.New(io.Discard, output.Options{})})
	if err != nil {
		return
	}
	defer e.Close()
	c.args = nil
	if _, err := load(e, c); err != nil {
		return
	}
	for _, s := range e.Stages() {
		fmt.Fprintf(w, "%s\tstage\n", s)
	}
	for _, line := range strings.Split(strings.TrimSpace(e.TaskList(true)), "\n") {
		rest := strings.TrimPrefix(line, "luacap ")
		name, desc, _ := strings.Cut(rest, "  # ")
		fmt.Fprintf(w, "%s\t%s\n", strings.TrimSpace(name), desc)
	}
}

const bashScript = `# luacap completion for bash: source <(luacap completion bash)
_luacap() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} file=() i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in -f|--file) file=(-f "${COMP_WORDS[i+1]}");; esac
  done
  case $prev in
    -f|--file|--log) COMPREPLY=($(compgen -f -- "$cur")); return;;
    --format) COMPREPLY=($(compgen -W "pretty verbose json" -- "$cur")); return;;
    --color) COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "@FLAGS@" -- "$cur"))
    return
  fi
  COMPREPLY=($(compgen -W "$(luacap "${file[@]}" --complete 2>/dev/null | cut -f1)" -- "$cur"))
  # task names hold colons, which bash splits words on
  declare -F __ltrim_colon_completions >/dev/null && __ltrim_colon_completions "$cur"
}
complete -F _luacap luacap
`

const zshScript = `#compdef luacap
# luacap completion for zsh: source <(luacap completion zsh)
_luacap() {
  local -a items file
  local i line
  for ((i = 2; i < CURRENT; i++)); do
    [[ $words[i] == (-f|--file) ]] && file=(-f "$words[i+1]")
  done
  case $words[CURRENT-1] in
    -f|--file|--log) _files; return;;
    --format) compadd pretty verbose json; return;;
    --color) compadd auto always never; return;;
  esac
  if [[ $PREFIX == -* ]]; then
    compadd -- @FLAGS@
    return
  fi
  for line in ${(f)"$(luacap $file --complete 2>/dev/null)"}; do
    items+=("${${line%%$'\t'*}//:/\\:}:${line#*$'\t'}")
  done
  _describe 'stage or task' items
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then _luacap "$@"; else compdef _luacap luacap; fi
`

const fishScript = `# luacap completion for fish: luacap completion fish | source
function __luacap_complete
  set -l args (commandline -opc)
  set -l file
  for i in (seq (count $args))
    if contains -- $args[$i] -f --file; and test $i -lt (count $args)
      set file -f $args[(math $i + 1)]
    end
  end
  luacap $file --complete 2>/dev/null
end
complete -c luacap -f -a '(__luacap_complete)'
complete -c luacap -l format -x -a 'pretty verbose json'
complete -c luacap -l color -x -a 'auto always never'
`
