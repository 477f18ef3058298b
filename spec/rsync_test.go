package spec

import (
	"path/filepath"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// rsync() makes remote_dir: any depth of missing parents, a name with a
// space or a quote, one that is there already, in the foreground and in
// the background.
func TestRsyncMakesTheRemoteDir(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	h := c.Hosts[0]
	d := newDeployEnv(t, c, appDeployfile(c, map[string]string{"h1": `"web"`}, `
task("send", function()
  local src = fetch("src")
  on(roles("web"), function()
    rsync(src, "/var/www/srv/new/a b/it's")
    rsync(src, "/var/www/srv/new/a b/it's")
    rsync(src, "/var/www/srv/top")
    rsync(src, "/var/www/srv/bg/one/two", { background = true }):wait()
  end)
end)
`))
	src := filepath.Join(d.dir, "src")
	d.write(filepath.Join(src, "app.css"), "body {}\n")
	r := d.run("send", "-s", "src="+src)
	mustSucceed(t, r)
	for _, dir := range []string{"/var/www/srv/new/a b/it's", "/var/www/srv/top", "/var/www/srv/bg/one/two"} {
		if got := readString(t, h.Path(dir+"/app.css")); got != "body {}\n" {
			t.Errorf("%s/app.css = %q", dir, got)
		}
	}
}
