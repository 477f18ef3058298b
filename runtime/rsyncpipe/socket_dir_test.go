package rsyncpipe

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Whatever TMPDIR's length, the channel opens and carries a command: a
// TMPDIR too long for a socket path must not push rsync onto the slower
// ssh process.
func TestRsyncChannelOpensWhateverTheLengthOfTMPDIR(t *testing.T) {
	base := t.TempDir()
	for _, n := range []int{1, 60, 90, 200} {
		tmp := filepath.Join(base, strings.Repeat("d", n))
		if err := os.MkdirAll(tmp, 0o700); err != nil {
			t.Fatal(err)
		}
		t.Setenv("TMPDIR", tmp)
		p := &fakePiper{}
		c, err := Open(context.Background(), p)
		if err != nil {
			t.Fatalf("TMPDIR of %d bytes: %v", len(tmp), err)
		}
		var out, errs bytes.Buffer
		code := Shell([]string{c.Sock(), c.Token(), "rsync"}, strings.NewReader("x"), &out, &errs)
		c.Close()
		if code != 0 || out.String() != "X" {
			t.Errorf("TMPDIR of %d bytes: exit %d, stdout %q, stderr %q", len(tmp), code, out.String(), errs.String())
		}
	}
}

// At the limit: TMPDIR is kept while the longest socket os.MkdirTemp
// can make in it fits in sun_path, and no longer.
func TestSocketParentAtTheLimit(t *testing.T) {
	longest := len("/luacap-rsync-4294967295/s") // MkdirTemp's random part is a uint32
	for n := maxSocketPath - longest - 2; n <= maxSocketPath-longest+2; n++ {
		tmp := "/" + strings.Repeat("t", n-1)
		got := socketParent(tmp)
		if keep := n+longest <= maxSocketPath; keep != (got == tmp) {
			t.Errorf("TMPDIR of %d bytes: socket parent %.20s..., want TMPDIR kept: %v", n, got, keep)
		}
		if len(got)+longest > maxSocketPath {
			t.Errorf("TMPDIR of %d bytes: a socket in %.20s... may pass %d bytes", n, got, maxSocketPath)
		}
	}
}
