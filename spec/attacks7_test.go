package spec

import (
	"fmt"
	"os"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// Under MaxSessions 2 and 3, an interrupt still stops a command with
// stdin that ignores SIGTERM and the end of its input, once the shell
// is open (and, with prepare_rsync(), a channel opened ahead is idle):
// the kill's session must find room.
func TestAttack7InterruptUnderFewSessions(t *testing.T) {
	t.Parallel()
	for _, max := range []int{2, 3} {
		for _, prepare := range []string{"0", "1"} {
			max, prepare := max, prepare
			t.Run(fmt.Sprintf("MaxSessions %d prepare %s", max, prepare), func(t *testing.T) {
				t.Parallel()
				c := harness.Start(t, 1, harness.Options{})
				h := c.Hosts[0]
				if err := h.Reconfigure(func(cfg string) string { return fmt.Sprintf("MaxSessions %d\n", max) + cfg }); err != nil {
					t.Fatal(err)
				}
				src := preamble(c, map[string]string{"h1": `"app"`}) + `
task("long", function()
  on(roles("app"), function()
    if os.getenv("PREPARE") == "1" then prepare_rsync() end
    execute("true")
    execute("echo started > /var/www/started; trap '' HUP PIPE TERM; exec sleep 37 <&-", { stdin = "Deployfile.lua" })
  end)
end)`
				dir := harness.WriteDeployfile(t, src)
				os.Remove(h.Path("/var/www/started"))
				cmd, out := interruptOnceStarted(t, c, dir, h.Path("/var/www/started"), "PREPARE="+prepare)
				cmd.Wait()
				if code := cmd.ProcessState.ExitCode(); code != 130 {
					t.Errorf("exit %d, want 130\n%s", code, tail(out.String(), 6))
				}
				if left := leftOn(h, "sleep"); len(left) > 0 {
					t.Errorf("left running on the host after the interrupt: %v\n%s", left, tail(out.String(), 6))
				}
			})
		}
	}
}
