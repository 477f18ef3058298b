package spec

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// sshd's MaxSessions bounds the channels one connection holds at once.
// luacap holds its shell and channels opened ahead: the spare, and the
// one prepare_rsync() opens for the assets. On a host that allows few,
// a deploy with assets still works, whatever it does after them: an
// upload (sftp's session), a command with a terminal, a send when the
// assets did not change and the channel opened for it stays idle.
func TestAssetsDeployUnderFewSessionsPerConnection(t *testing.T) {
	t.Parallel()
	for _, max := range []int{2, 3} {
		t.Run(fmt.Sprintf("MaxSessions %d", max), func(t *testing.T) {
			t.Parallel()
			c := harness.Start(t, 1, harness.Options{})
			for _, h := range c.Hosts {
				if err := h.Reconfigure(func(cfg string) string { return fmt.Sprintf("MaxSessions %d\n", max) + cfg }); err != nil {
					t.Fatal(err)
				}
			}
			d := newDeployEnv(t, c, appDeployfile(c, map[string]string{"h1": `"web"`}, sharedAssetsFromRepo+`
set("assets_dependencies", { "app/assets" })
set("assets_build_command", "mkdir -p public/assets && cp app/assets/version public/assets/manifest.txt")
after("deploy:published", function()
  on(roles("web"), function()
    put(fetch("release_name"), shared_path() .. "/put-check")
    execute("echo terminal", { pty = true })
  end)
end)
`))
			repo := filepath.Join(d.dir, "repo")
			gitRepo(t, repo, map[string]string{"app/assets/version": "1\n", "README": "a\n"})
			serves := func(when, version string) {
				t.Helper()
				h := c.Hosts[0]
				if got := strings.TrimSpace(readString(t, h.Path(shop+"/shared/public/assets/manifest.txt"))); got != version {
					t.Errorf("%s: the assets served are version %q, want %q", when, got, version)
				}
				if got := readString(t, h.Path(shop+"/shared/put-check")); got != d.current(h) {
					t.Errorf("%s: the upload after the assets wrote %q, want %q", when, got, d.current(h))
				}
			}
			d.deploy("20260101000001")
			serves("first deploy", "1")
			d.write(filepath.Join(repo, "README"), "b\n") // the assets do not change
			commitAll(t, repo, "readme")
			d.deploy("20260101000002")
			serves("a deploy with the same assets", "1")
			d.write(filepath.Join(repo, "app/assets/version"), "3\n")
			commitAll(t, repo, "v3")
			d.deploy("20260101000003")
			serves("a deploy with new assets", "3")
			mustSucceed(t, d.run("deploy:rollback"))
			d.expectState("20260101000002", "20260101000001", "20260101000002")
			if got := strings.TrimSpace(readString(t, c.Hosts[0].Path(shop+"/shared/public/assets/manifest.txt"))); got != "1" {
				t.Errorf("after the rollback the assets served are version %q, want 1", got)
			}
		})
	}
}
