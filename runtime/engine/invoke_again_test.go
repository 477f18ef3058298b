package engine

import (
	"strings"
	"testing"
)

// hooked is a task with a hook of each kind and a step, each tracing.
const hooked = `
local function step(name) return function(...) table.insert(trace, table.concat({ name, ... }, " ")) end end
task("notify", step("notify"))
task("prepare", step("prepare"))
task("restart", { "prepare" })
before("restart", step("before restart"))
after("restart", "notify")
`

func TestInvokeAgainRunsATaskThatRanWithItsHooksAndSteps(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"plain invoke skips", `invoke("restart"); invoke("restart")`,
			"before restart,prepare,notify"},
		{"again after invoke", `invoke("restart"); invoke_again("restart")`,
			"before restart,prepare,notify,before restart,prepare,notify"},
		{"again first", `invoke_again("restart"); invoke("restart")`,
			"before restart,prepare,notify"},
		{"again twice", `invoke("notify", "a"); invoke_again("notify", "b"); invoke_again("notify", "c")`,
			"notify a,notify b,notify c"},
		{"the once rule holds after", `invoke_again("restart"); invoke("prepare"); invoke("notify")`,
			"before restart,prepare,notify"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := load(t, hooked+`task("x", function() `+tt.body+` end)`)
			r.mustRun(t, "x")
			if got := strings.Join(r.trace(), ","); got != tt.want {
				t.Errorf("%s ran %s, want %s", tt.body, got, tt.want)
			}
		})
	}
}

// A task that asks for itself again, directly or through a task it runs,
// fails instead of looping; the tasks around it stay skipped.
func TestInvokeAgainOfATaskInProgress(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"itself", `task("x", function() invoke_again("x") end)`,
			`task x failed: DIR/Deployfile.lua:2: invoke_again("x") inside x itself would never end; call it after x is done`},
		{"its caller", `task("x", function() invoke("y") end) task("y", function() invoke_again("x") end)`,
			`task y failed: DIR/Deployfile.lua:2: invoke_again("x") inside x itself would never end; call it after x is done`},
		{"unknown", `task("x", function() invoke_again("restrat") end)`,
			`task x failed: DIR/Deployfile.lua:2: task "restrat" does not exist; luacap -T lists the tasks`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := load(t, tt.src)
			if got := r.errText(r.run("x")); got != tt.want {
				t.Errorf("error:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestSecondInvokeSaysItSkipsAndHowToRunAgain(t *testing.T) {
	var b strings.Builder
	r := load(t, hooked+`task("x", function() invoke("notify"); invoke("notify") end)`, verbose(&b))
	r.mustRun(t, "x")
	if want := "skip notify (already run; use invoke_again to run it again)"; !strings.Contains(b.String(), want) {
		t.Errorf("verbose output lacks %q:\n%s", want, b.String())
	}
}
