package spec

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/luacap/luacap/spec/harness"
)

// sshdDir is the directory the harness keeps a host's sshd files in.
func sshdDir(h *harness.Host) string { return filepath.Dir(h.Home()) }

// killHost kills the host's sshd and every session and command it
// started, as Host.Stop does: every process in the mount namespace of
// the sshd that reads this host's config. The host can come back with
// reviveHost; Stop would not let it.
func killHost(t *testing.T, h *harness.Host) {
	t.Helper()
	ns := hostNamespace(h)
	if ns == "" {
		t.Fatalf("%s: no sshd with config %s/sshd_config is running", h.Name, sshdDir(h))
	}
	for _, pid := range pidsIn(ns) {
		syscall.Kill(pid, syscall.SIGKILL)
	}
}

// hostNamespace is the mount namespace of the host's listening sshd.
func hostNamespace(h *harness.Host) string {
	// sshd rewrites its command line ("sshd: /usr/sbin/sshd -D -f ...
	// [listener]"): only the config's path is sure to stay in it.
	want := []byte(sshdDir(h) + "/sshd_config")
	for _, pid := range allPids() {
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if !bytes.Contains(cmdline, []byte("sshd")) || !bytes.Contains(cmdline, want) {
			continue
		}
		// Never the namespace this test runs in: a wrapper not yet
		// inside the host's namespace would make killHost kill them all.
		ns, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/mnt", pid))
		if own, _ := os.Readlink("/proc/self/ns/mnt"); ns != own {
			return ns
		}
	}
	return ""
}

func pidsIn(ns string) []int {
	var out []int
	for _, pid := range allPids() {
		if got, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/mnt", pid)); err == nil && got == ns {
			out = append(out, pid)
		}
	}
	return out
}

func allPids() []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		if pid, err := strconv.Atoi(e.Name()); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

// reviveHost starts the host's sshd again, with its config, keys, port
// and files, as the harness launched it; it is stopped when the test
// ends.
func reviveHost(t *testing.T, h *harness.Host) {
	t.Helper()
	dir := sshdDir(h)
	script := fmt.Sprintf("mount --bind %s %s && mount --bind %s /root && exec /usr/sbin/sshd -D -f %s/sshd_config -E %s/sshd.log",
		h.Root, harness.DeployRoot, h.Home(), dir, dir)
	cmd := exec.Command("unshare", "--mount", "--propagation", "private", "sh", "-c", script)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if ns := hostNamespace(h); ns != "" {
			for _, pid := range pidsIn(ns) {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	})
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if h.Answers() {
			return
		}
	}
	t.Fatalf("%s: sshd did not come back on port %d", h.Name, h.Port)
}

// fillerName is the file that fills a host's disk.
const fillerName = "luacap-spec-filler"

// fillDisk writes to the host's tmpfs root until it is full.
func fillDisk(t *testing.T, h *harness.Host) {
	t.Helper()
	f, err := os.Create(filepath.Join(h.Root, fillerName))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// Smaller and smaller writes, until not one byte is left.
	for _, size := range []int{64 << 10, 4 << 10, 1} {
		chunk := make([]byte, size)
		for {
			_, err := f.Write(chunk)
			if err == nil {
				continue
			}
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("%s: filling the disk: %v", h.Name, err)
			}
			break
		}
	}
}

// freeDisk removes what fillDisk wrote: an operator making room.
func freeDisk(t *testing.T, h *harness.Host) {
	t.Helper()
	if err := os.Remove(filepath.Join(h.Root, fillerName)); err != nil {
		t.Fatal(err)
	}
}
