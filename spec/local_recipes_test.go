package spec

import (
	"path/filepath"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// TestUseOfALocalRecipeFromASubdirectory keeps a recipe of the app's own
// in lib/deploy/, as Capistrano users keep lib/capistrano/tasks/, and
// deploys from a subdirectory of the app: use() finds the recipe beside
// the Deployfile, require() the module beside the recipe, copy_source
// the app, and the recipe's command runs on every host.
func TestUseOfALocalRecipeFromASubdirectory(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	d := newDeployEnv(t, c, appDeployfile(c, map[string]string{"h1": `"app"`, "h2": `"app"`}, `use("./lib/deploy/sidekiq")`))
	d.write(filepath.Join(d.dir, "lib/deploy/sidekiq.lua"), `
local signal = require("signals").quiet
desc("Quiets Sidekiq")
task("sidekiq:quiet", { roles = "app" }, function()
  run("echo " .. signal .. " > " .. shared_path() .. "/sidekiq")
end)
after("deploy:published", "sidekiq:quiet")
`)
	d.write(filepath.Join(d.dir, "lib/deploy/signals.lua"), `return { quiet = "TSTP" }`)
	r := harness.Run(t, luacap, filepath.Join(d.dir, "app", "config"), c.Home(), []string{"USER=deployer"},
		"deploy", "-s", "release_name=20260101000001", "-q")
	mustSucceed(t, r)
	d.expectState("20260101000001", "20260101000001")
	for _, h := range c.Hosts {
		if got := readString(t, h.Path(shop+"/shared/sidekiq")); got != "TSTP\n" {
			t.Errorf("%s: shared/sidekiq = %q, want the recipe's TSTP", h.Name, got)
		}
		if got := readString(t, h.Path(shop+"/releases/20260101000001/public/index.html")); got != "<p>shop</p>\n" {
			t.Errorf("%s: the release holds %q, not the app beside the Deployfile", h.Name, got)
		}
	}
}
