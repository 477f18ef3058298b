package engine

import (
	"strings"
	"testing"
)

// TestAskAnswers covers where ask()'s answer comes from: the environment
// first, then the terminal, and without one the default or an error.
func TestAskAnswers(t *testing.T) {
	const noTerminal = "-"
	tests := []struct {
		name, opts string
		env        *string // LUACAP_ASK_ANSWER, nil for unset
		typed      string  // what the user types; noTerminal for none
		want       string  // the value, or the error; then | and the prompt shown
	}{
		{"no terminal, a default", `{ default = "main" }`, nil, noTerminal, "main|"},
		{"no terminal, a number default", `{ default = 3 }`, nil, noTerminal, "3 number|"},
		{"no terminal, echo off, a default", `{ echo = false, default = "pw" }`, nil, noTerminal, "pw|"},
		{"no terminal, no default", `{}`, nil, noTerminal,
			`variable "answer" asks for input ("Answer?") but there is no terminal; set the environment variable LUACAP_ASK_ANSWER to the answer|`},
		{"no terminal, echo off, no default", `{ echo = false }`, nil, noTerminal,
			`variable "answer" asks for input ("Answer?") but there is no terminal; set the environment variable LUACAP_ASK_ANSWER to the answer|`},
		{"the environment, no terminal", `{}`, ptr("from env"), noTerminal, "from env|"},
		{"the environment over a terminal and a default", `{ default = "main" }`, ptr("from env"), "typed", "from env|"},
		{"the environment empty, a default", `{ default = "main" }`, ptr(""), noTerminal, "main|"},
		{"a terminal shows the default", `{ default = "main" }`, nil, "", "main|Answer? [main]"},
		{"a terminal, a typed answer", `{ default = "main" }`, nil, "release 2", "release 2|Answer? [main]"},
		{"a terminal, echo off hides the default", `{ echo = false, default = "pw" }`, nil, "", "pw|Answer? (no echo)"},
		{"a terminal, no default", `{}`, nil, "a whole line", "a whole line|Answer?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.env != nil {
				t.Setenv("LUACAP_ASK_ANSWER", *tt.env)
			}
			var shown string
			var setups []setup
			if tt.typed != noTerminal {
				setups = append(setups, prompt(func(p string, echo bool) (string, error) {
					shown = p
					if !echo {
						shown += " (no echo)"
					}
					return tt.typed, nil
				}))
			}
			r := load(t, `ask("answer", "Answer?", `+tt.opts+`)
task("x", function()
  local v = fetch("answer")
  table.insert(trace, type(v) == "number" and v .. " number" or v)
end)`, setups...)
			err := r.run("x")
			got := strings.Join(r.trace(), "")
			if err != nil {
				got = strings.TrimPrefix(r.errText(err), "task x failed: DIR/Deployfile.lua:4: ")
			}
			if got += "|" + shown; got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func ptr(s string) *string { return &s }
