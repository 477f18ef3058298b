package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Doctor computes a lazy value only when it runs no command and asks
// nothing: a value that would run one, here or on a host, or prompt, is
// shown as lazy and nothing runs; the verbs work again afterwards.
func TestDoctorComputesOnlyWhatRunsNothing(t *testing.T) {
	t.Setenv("LUACAP_ASK_TOKEN", "") // restored after the test
	os.Unsetenv("LUACAP_ASK_TOKEN")  // an answer in the environment would be read, safely
	r := load(t, `
server("h1", { transport = "local", roles = { "web" } })
set("pure", function() return "x-" .. fetch("dir"):sub(1, 1) end)
for _, verb in ipairs({ "run_locally", "capture", "test", "execute" }) do
  set("via_" .. verb, function() return _G[verb]("touch " .. fetch("dir") .. "/" .. verb) end)
end
ask("token", "Token?", { echo = false })
`, prompt(func(string, bool) (string, error) { t.Error("doctor prompted"); return "", nil }))
	var b strings.Builder
	if err := r.e.Doctor(context.Background(), &b); err != nil {
		t.Fatalf("doctor: %v\n%s", err, b.String())
	}
	for _, want := range []string{
		`  pure = "x-/" (lazy, computed)`,
		`  via_capture = (lazy: runs commands; computed when a task reads it)`,
		`  via_execute = (lazy: runs commands; computed when a task reads it)`,
		`  via_run_locally = (lazy: runs commands; computed when a task reads it)`,
		`  via_test = (lazy: runs commands; computed when a task reads it)`,
		`  token = (lazy: asks for input when a task reads it)`,
		`  h1: reachable, as `,
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("doctor's report lacks %q:\n%s", want, b.String())
		}
	}
	files, _ := filepath.Glob(filepath.Join(r.dir, "*"))
	if len(files) != 1 { // the Deployfile
		t.Errorf("doctor ran commands: %v", files)
	}
	r.e.p.Lua().DoString(`table.insert(trace, run_locally("echo back"))`)
	wantTrace(t, r, "back")
}
