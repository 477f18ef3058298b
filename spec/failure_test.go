package spec

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

var threeApp = map[string]string{"h1": `"app"`, "h2": `"app"`, "h3": `"app"`}

func TestHostDownBeforeTheRun(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 3, harness.Options{})
	h2 := c.Host("h2")
	h2.Stop()
	src := preamble(c, threeApp) + `
task("touch", function() on(roles("app"), function() execute("touch /var/www/done") end) end)`
	r := runLuacap(t, c, src, nil, "touch")
	if r.Code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", r.Code, r.Output())
	}
	want := fmt.Sprintf("h2: connecting: dial tcp 127.0.0.1:%d: connect: connection refused", h2.Port)
	if !strings.Contains(r.Stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, r.Stderr)
	}
	for _, name := range []string{"h1", "h3"} {
		if _, err := os.Stat(c.Host(name).Path("/var/www/done")); err != nil {
			t.Errorf("%s did not run its command: %v", name, err)
		}
	}
	if !strings.Contains(r.Stdout, "h2  FAILED") || !strings.Contains(r.Stdout, "h1  OK") {
		t.Errorf("summary does not report each host:\n%s", r.Stdout)
	}
}

func TestHostDiesMidCommand(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 3, harness.Options{})
	h2 := c.Host("h2")
	src := preamble(c, threeApp) + `
task("slow", function()
  on(roles("app"), function() execute("touch /var/www/started; sleep 1.5; touch /var/www/done") end)
end)`
	go func() {
		waitForFile(t, h2.Path("/var/www/started"))
		h2.Stop()
	}()
	r := runLuacap(t, c, src, nil, "slow")
	if r.Code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", r.Code, r.Output())
	}
	if !strings.Contains(r.Stderr, "h2: running touch /var/www/started; sleep 1.5; touch /var/www/done: the connection was lost while the command ran") {
		t.Errorf("the error does not name h2 and its cause:\n%s", r.Stderr)
	}
	for _, name := range []string{"h1", "h3"} {
		if _, err := os.Stat(c.Host(name).Path("/var/www/done")); err != nil {
			t.Errorf("%s did not finish its command: %v", name, err)
		}
	}
}
