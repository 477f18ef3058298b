package spec

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// TestLargeTransferStreams sends 200 MB up and back and checks luacap's
// peak memory stays far below the file's size: the file is streamed.
func TestLargeTransferStreams(t *testing.T) {
	t.Parallel()
	const size = 200 << 20
	c := harness.Start(t, 1, harness.Options{})
	src := preamble(c, map[string]string{"h1": `"app"`}) + `
task("big", function()
  on(roles("app"), function()
    upload("big.bin", "/var/www/big.bin")
    download("/var/www/big.bin", "big.back")
  end)
end)`
	dir := harness.WriteDeployfile(t, src)
	big := filepath.Join(dir, "big.bin")
	if out, err := exec.Command("sh", "-c", "head -c 209715200 /dev/urandom > "+big+" && chmod 640 "+big).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	r := harness.Run(t, luacap, dir, c.Home(), nil, "big", "-q")
	mustSucceed(t, r)
	back, err := os.Stat(filepath.Join(dir, "big.back"))
	if err != nil || back.Size() != size || back.Mode().Perm() != 0o640 {
		t.Fatalf("downloaded copy: %v %v", back, err)
	}
	if out, err := exec.Command("cmp", big, filepath.Join(dir, "big.back")).CombinedOutput(); err != nil {
		t.Errorf("the copy differs: %s", out)
	}
	t.Logf("peak RSS for a 200 MB upload and download: %d MiB", r.MaxRSSKiB/1024)
	if r.MaxRSSKiB > 100<<10 {
		t.Errorf("peak RSS %d MiB for a 200 MB file: the transfer is not streamed", r.MaxRSSKiB/1024)
	}
}
