package spec

import (
	"os"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// A linked file or dir inside a linked dir is already the shared one in
// the release, through the dir's link. Linking it again went through that
// link: it removed the shared file (the user's data) and left a link to
// itself in its place. Each way of writing the nesting is swept; the
// shared files must come through two deploys untouched, and the release
// must reach them.
func TestLinkedPathsInsideLinkedDirsKeepTheSharedData(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, dirs, files, inner, dir, rest string }{
		{"a file in a linked dir", `{ "log", "tmp/pids" }`, `{ "config/database.yml", "log/keep.txt" }`, "log/keep.txt", "log", "keep.txt"},
		{"written ./dir/ and ./dir/file", `{ "./log/", "tmp/pids" }`, `{ "config/database.yml", "./log/keep.txt" }`, "log/keep.txt", "log", "keep.txt"},
		{"a dir in a linked dir", `{ "public", "public/system" }`, `{ "config/database.yml" }`, "public/system/keep.txt", "public", "system/keep.txt"},
	}
	c := harness.Start(t, 2, harness.Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, h := range c.Hosts {
				os.RemoveAll(h.Path(shop))
			}
			d := newDeployEnv(t, c, appDeployfile(c, map[string]string{"h1": `"web"`, "h2": `"app"`}, `
set("linked_dirs", `+tt.dirs+`)
set("linked_files", `+tt.files+`)
`))
			for _, h := range c.Hosts {
				d.write(h.Path(shop+"/shared/"+tt.inner), "kept on "+h.Name+"\n")
			}
			d.deploy("20260101000001")
			d.deploy("20260101000002")
			for _, h := range c.Hosts {
				shared := h.Path(shop + "/shared/" + tt.inner)
				if info, err := os.Lstat(shared); err != nil || info.Mode()&os.ModeSymlink != 0 {
					t.Errorf("%s: shared/%s is gone or a link (%v)", h.Name, tt.inner, err)
					continue
				}
				if got := readString(t, shared); got != "kept on "+h.Name+"\n" {
					t.Errorf("%s: shared/%s = %q", h.Name, tt.inner, got)
				}
				// The release's links are absolute inside the host: follow
				// the dir's link by hand.
				link, err := os.Readlink(h.Path(shop + "/releases/20260101000002/" + tt.dir))
				if err != nil || link != shop+"/shared/"+tt.dir {
					t.Errorf("%s: the release's %s links to %q (%v)", h.Name, tt.dir, link, err)
				} else if got := readString(t, h.Path(link+"/"+tt.rest)); got != "kept on "+h.Name+"\n" {
					t.Errorf("%s: the release reads %q through %s", h.Name, got, tt.dir)
				}
			}
		})
	}
}
