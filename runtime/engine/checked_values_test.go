package engine

import (
	"strings"
	"testing"
)

// Wrong values in the DSL's own calls are errors at the caller's line,
// while the Deployfile loads: a name that is not a string, a set()
// option that does not exist, a secret that is not text, a command run
// outside any task (it would run on -T and --dry-run too).
func TestValuesCheckedWhereTheyAreGiven(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"set with a number name", `set(5, "x")`, `DIR/Deployfile.lua:2: set(): the name must be a string, not the number 5`},
		{"set with a table name", `set({}, "x")`, `DIR/Deployfile.lua:2: set(): the name must be a string, not the table`},
		{"task with a number name", `task(5, function() end)`, `DIR/Deployfile.lua:2: task(): the name must be a string, not the number 5`},
		{"set with an unknown option", `set("a", "b", { secrte = true })`, `DIR/Deployfile.lua:2: set("a"): "secrte" is not an option; the option is secret`},
		{"set with options not a table", `set("a", "b", true)`, `DIR/Deployfile.lua:2: set("a"): the options must be a table, like { secret = true }`},
		{"a secret that is a table", `set("a", {}, { secret = true })`, `DIR/Deployfile.lua:2: set("a", ..., { secret = true }): a secret is a string, not a table`},
		{"run at the top level", localHosts + `run("touch ran")`, `DIR/Deployfile.lua:6: run() runs outside any task`},
		{"sudo at the top level", localHosts + `sudo("touch ran")`, `DIR/Deployfile.lua:6: run() runs outside any task`},
		{"env_secret unset", `env_secret("LUACAP_TEST_NEVER_SET")`, `DIR/Deployfile.lua:2: the environment variable LUACAP_TEST_NEVER_SET is not set`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := tryLoad(t, tt.src)
			if got := r.errText(err); !strings.HasPrefix(got, tt.want) {
				t.Errorf("error:\n%s\nwant it to start with:\n%s", got, tt.want)
			}
			if strings.Contains(r.out.String(), "touch ran") {
				t.Errorf("the command ran:\n%s", r.out)
			}
		})
	}
}

// A secret set any of the three ways is masked in the output, and its
// real value still reaches the command.
func TestSecretsAreMaskedButReachTheCommand(t *testing.T) {
	t.Setenv("LUACAP_TEST_SECRET", "env-v4lue")
	r := load(t, localHosts+`
set("plain", "pl4in-v4lue", { secret = true })
set("lazy", function() return "l4zy-v4lue" end, { secret = true })
ask("typed", "Token:", { echo = false })
local env = env_secret("LUACAP_TEST_SECRET")
task("x", { roles = "db" }, function()
  local line = fetch("plain") .. " " .. fetch("lazy") .. " " .. fetch("typed") .. " " .. env
  table.insert(trace, capture("echo " .. line))
  info(line)
end)`, prompt(func(string, bool) (string, error) { return "typ3d-v4lue", nil }))
	r.mustRun(t, "x")
	wantTrace(t, r, "pl4in-v4lue l4zy-v4lue typ3d-v4lue env-v4lue")
	out := r.out.String()
	for _, v := range []string{"pl4in", "l4zy", "typ3d", "env-v4lue"} {
		if strings.Contains(out, v) {
			t.Errorf("%s is in the output:\n%s", v, out)
		}
	}
	if !strings.Contains(out, "[secret] [secret] [secret] [secret]") {
		t.Errorf("the secrets are not shown as [secret]:\n%s", out)
	}
}
