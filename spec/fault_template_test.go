package spec

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// faultTemplate is every host's /var/www after the setup deploys, made
// once by real deploys on a cluster of its own and copied into each
// cell's hosts: the matrix's cells start from the same baseline without
// paying for its deploys again.
type faultTemplate struct {
	dir string // dir/<releases>/<host>: the host's files after that many deploys
}

// setupReleases are the releases the setup deploys make, in order.
var setupReleases = []string{"20200101000001", "20200101000002"}

func newFaultTemplate(t *testing.T) *faultTemplate {
	t.Helper()
	cl := harness.Start(t, faultHosts, harness.Options{})
	defer cl.Stop()
	ft := &faultTemplate{dir: t.TempDir()}
	d := newDeployEnv(t, cl, faultDeployfile(cl, t.TempDir(), false))
	for i, rel := range setupReleases {
		d.deploy(rel)
		for _, h := range cl.Hosts {
			copyTree(t, h.Root, ft.path(i+1, h.Name))
		}
	}
	return ft
}

func (ft *faultTemplate) path(releases int, host string) string {
	return filepath.Join(ft.dir, string(rune('0'+releases)), host)
}

// apply gives every host of c the files it would have after the first
// releases setup deploys.
func (ft *faultTemplate) apply(t *testing.T, c *harness.Cluster, releases int) {
	t.Helper()
	for _, h := range c.Hosts {
		copyTree(t, ft.path(releases, h.Name), h.Root)
	}
}

// copyTree copies src's contents into dst as they are: modes, times and
// symlinks (absolute, /var/www/..., so valid on every host).
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	if out, err := exec.Command("sh", "-c", `mkdir -p "$2" && cp -a "$1/." "$2/"`, "sh", src, dst).CombinedOutput(); err != nil {
		t.Fatalf("copying %s to %s: %v: %s", src, dst, err, out)
	}
}
