package harness

import (
	"fmt"
	"os/exec"
)

// mountTmpfs mounts a tmpfs of size bytes on dir, so that a host's
// /var/www can fill up: the full-disk faults of the spec need a disk that
// is small and that no other host or test shares.
func mountTmpfs(dir string, size int64) error {
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d", size), "tmpfs", dir).CombinedOutput()
	if err != nil {
		return fmt.Errorf("mounting a %d-byte tmpfs on %s: %v: %s", size, dir, err, out)
	}
	return nil
}

// unmountTmpfs undoes mountTmpfs; lazily, so that a process still inside
// cannot keep the test's temporary directory from being removed.
func unmountTmpfs(dir string) {
	exec.Command("umount", "-l", dir).Run()
}
