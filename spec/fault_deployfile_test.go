package spec

import (
	"fmt"
	"strings"

	"github.com/luacap/luacap/spec/harness"
)

// faultSteps are the tasks a fault can be injected after, in every flow.
var faultSteps = []string{
	"deploy:lock", "deploy:create_release", "deploy:finalize_update", "deploy:migrate",
	"deploy:symlink", "deploy:restart", "deploy:cleanup",
	"deploy:rollback:revision", "deploy:rollback:cleanup",
}

// faultDeployfile is the matrix's app: four app hosts (h1 also db, the
// primary, for migrations), keep_releases high enough that cleanup never
// removes a live release, a Passenger-like restart, small ssh timeouts
// when deadHost (so a dead host is seen in seconds; elsewhere a loaded
// machine must not pass for a dead host), and a hook after every step that is
// idle unless -s fault_step names that step. The hook then fails on h3
// (fault_kind=fail) or touches dir/at and waits to read a line from the
// pipe dir/go (a read that blocks costs no CPU, where a loop of sleeps
// costs a process every few ms in every cell at once), so the test
// injects its fault while the run stands exactly there.
func faultDeployfile(c *harness.Cluster, dir string, deadHost bool) string {
	var b strings.Builder
	for _, h := range c.Hosts {
		if h.Name == "h1" {
			fmt.Fprintf(&b, "server(%q, { roles = { \"app\", \"db\" }, primary = true })\n", h.Name)
		} else {
			fmt.Fprintf(&b, "server(%q, { roles = { \"app\" } })\n", h.Name)
		}
	}
	fmt.Fprintf(&b, `set("application", "shop")
set("deploy_to", %q)
set("deploy_via", "copy")
set("copy_source", "app")
set("linked_files", { "config/database.yml" })
set("linked_dirs", { "log", "tmp/pids" })
set("keep_releases", 10)
set("migrate_command", "touch migrated")
%s
-- A second run passes lock_probe to say when it starts to take the lock.
before("deploy:lock", function()
  if fetch("lock_probe", "") ~= "" then run_locally("touch " .. fetch("lock_probe")) end
end)
%s`, shop, sshOptions(c, deadHost), faultPoints("app", dir, faultSteps))
	return b.String()
}

// faultPoints is the Deployfile's part that injects a fault: a restart
// that touches current/restarted on the hosts of role, and a fault point
// after each of steps, idle unless -s fault_step names the step. There
// it fails on h3 with fault_kind=fail, or else touches dir/at and waits
// for a line from dir/go.
func faultPoints(role, dir string, steps []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `task("deploy:restart", function()
  on(roles(%[1]q), function() execute("touch " .. current_path() .. "/restarted") end)
end)
local function fault_point(step)
  return function()
    if fetch("fault_step", "") ~= step then return end
    if fetch("fault_kind", "") == "fail" then
      on(roles(%[1]q), function(host) if host.name == "h3" then execute("false") end end)
      return
    end
    run_locally("touch %[2]s/at; read line < %[2]s/go")
  end
end
`, role, dir)
	for _, s := range steps {
		fmt.Fprintf(&b, "after(%q, fault_point(%q))\n", s, s)
	}
	return b.String()
}

func sshOptions(c *harness.Cluster, deadHost bool) string {
	if !deadHost {
		return fmt.Sprintf("set(\"ssh_options\", { config = %q })", c.SSHConfig)
	}
	return fmt.Sprintf("set(\"ssh_options\", { config = %q, timeout = 5, keepalive_interval = 2, keepalive_count_max = 2 })", c.SSHConfig)
}
