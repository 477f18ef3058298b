package spec

import (
	"os"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// When the code makes the parent of a linked path a link to somewhere
// else (vendor -> a directory outside the release), linking the shared dir
// in would rm -rf what is there. The deploy fails naming the path, the
// outside directory keeps its files, and the hosts stay on their release.
func TestALinkedPathLeadingOutsideTheReleaseIsRefused(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	h := c.Hosts[0]
	d := newDeployEnv(t, c, appDeployfile(c, map[string]string{"h1": `"web"`}, `
set("linked_dirs", { "log", "vendor/cache" })
set("linked_files", { "config/database.yml", "vendor/secrets.yml" })
`))
	d.write(h.Path(shop+"/shared/vendor/secrets.yml"), "shared\n")
	d.deploy("20260101000001")
	outside := "/var/www/outside"
	d.write(h.Path(outside+"/cache/keep.txt"), "not the release's\n")
	d.write(h.Path(outside+"/secrets.yml"), "not the release's either\n")
	if err := os.Symlink(outside, d.dir+"/app/vendor"); err != nil {
		t.Fatal(err)
	}
	r := d.run("deploy", "-s", "release_name=20260101000002")
	if r.Code == 0 || !strings.Contains(r.Output(), "leads outside the release") {
		t.Fatalf("the deploy exited %d, want a refusal naming the path:\n%s", r.Code, r.Output())
	}
	d.expectState("20260101000001", "20260101000001")
	for path, want := range map[string]string{outside + "/cache/keep.txt": "not the release's\n", outside + "/secrets.yml": "not the release's either\n"} {
		if got := readString(t, h.Path(path)); got != want {
			t.Errorf("%s = %q, want it untouched", path, got)
		}
	}
}
