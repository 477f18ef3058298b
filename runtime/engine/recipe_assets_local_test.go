package engine

import (
	"strings"
	"testing"
)

// assets_shared serves the assets from shared/: without assets_dir in
// linked_dirs, the deploy is refused as it starts, saying what to add;
// any spelling of the same directory counts.
func TestSharedAssetsNeedTheirDirLinked(t *testing.T) {
	for _, tt := range []struct {
		linked  string
		refused bool
	}{
		{`{ "log" }`, true},
		{`{ "log", "public" }`, true},
		{`{ "public/assets" }`, false},
		{`{ "./public/assets/" }`, false},
	} {
		r := loadBundled(t, `
use("rails/assets_local")
set("assets_shared", true)
set("linked_dirs", `+tt.linked+`)`)
		err := r.errText(r.run("deploy:assets:prepare"))
		if refused := strings.Contains(err, `assets_shared = true serves the assets from shared/public/assets: add "public/assets" to linked_dirs`); refused != tt.refused {
			t.Errorf("linked_dirs %s: error %q; want refused = %v", tt.linked, err, tt.refused)
		}
	}
}
