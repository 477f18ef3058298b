package spec

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/luacap/luacap/spec/harness"
)

// trustEachOther gives every server the known_hosts of the cluster, as
// servers in one network know each other's keys.
func trustEachOther(t *testing.T, c *harness.Cluster) {
	t.Helper()
	kh := readString(t, c.KnownHosts)
	for _, h := range c.Hosts {
		os.MkdirAll(filepath.Join(h.Home(), ".ssh"), 0o700)
		if err := os.WriteFile(filepath.Join(h.Home(), ".ssh", "known_hosts"), []byte(kh), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func twoPhaseEnv(t *testing.T, n int) (*harness.Cluster, *deployEnv, string) {
	t.Helper()
	c := harness.Start(t, n, harness.Options{NoGit: true})
	if err := c.WriteAgentOnlyConfig(); err != nil {
		t.Fatal(err)
	}
	trustEachOther(t, c)
	sock := harness.StartAgent(t, c.ClientKey)
	roles := map[string]string{"h1": `"app", "intermediate_host"`}
	for _, h := range c.Hosts[1:] {
		roles[h.Name] = `"app"`
	}
	d := newDeployEnv(t, c, "")
	d.env = []string{"SSH_AUTH_SOCK=" + sock}
	d.write(filepath.Join(d.dir, "Deployfile.lua"), appDeployfile(c, roles, fmt.Sprintf(`
set("ssh_options", { config = %q, forward_agent = true })
set("copy_source", nil)
set("repo_url", "repo")
set("local_repo", "repo")
`, c.SSHConfig)))
	sha := gitRepo(t, filepath.Join(d.dir, "repo"), appFiles)
	return c, d, sha
}

func TestTwoPhaseDeployThroughAnIntermediary(t *testing.T) {
	t.Parallel()
	c, d, sha := twoPhaseEnv(t, 4)
	mustSucceed(t, d.run("deploy:prepare_release", "-s", "release_name=20260101000000", "-q"))
	h1 := c.Host("h1")
	if target, err := os.Readlink(h1.Path(shop + "/current_tgz")); err != nil || target != shop+"/releases/20260101000000.tar.gz" {
		t.Fatalf("current_tgz on the intermediary -> %q (%v)", target, err)
	}
	for _, h := range c.Hosts[1:] {
		for _, p := range []string{"/releases", "/current_tgz"} {
			if _, err := os.Lstat(h.Path(shop + p)); err == nil {
				t.Errorf("%s received %s in prepare_release", h.Name, p)
			}
		}
	}

	deploy := func() {
		t.Helper()
		r := d.run("deploy", "-s", "deploy_via=intermediate_host", "-q")
		if r.Code != 0 {
			t.Fatalf("deploy exited %d:\n%s", r.Code, r.Output())
		}
	}
	deploy()
	time.Sleep(1100 * time.Millisecond) // a new deploy timestamp
	deploy()
	name := regexp.MustCompile(`^\d{14}_20260101000000$`)
	var first, second string
	for _, h := range c.Hosts {
		rels := d.releases(h)
		var dirs []string
		for _, r := range rels {
			if name.MatchString(r) {
				dirs = append(dirs, r)
			}
		}
		if len(dirs) != 2 {
			t.Fatalf("%s: releases %v, want two named <deploy>_20260101000000", h.Name, rels)
		}
		first, second = dirs[0], dirs[1]
		if got := d.current(h); got != second {
			t.Errorf("%s: current = %s, want %s", h.Name, got, second)
		}
		if got := readString(t, h.Path(shop+"/releases/"+second+"/REVISION")); got != sha+"\n" {
			t.Errorf("%s: REVISION = %q, want %s", h.Name, got, sha)
		}
	}
	mustSucceed(t, d.run("deploy:rollback", "-q"))
	for _, h := range c.Hosts {
		if got := d.current(h); got != first {
			t.Errorf("%s: after rollback current = %s, want %s", h.Name, got, first)
		}
	}
}

// TestBytesSentCopyVersusIntermediary measures what luacap sends for 8
// servers: with copy the archive goes to each; through the intermediary,
// once.
func TestBytesSentCopyVersusIntermediary(t *testing.T) {
	t.Parallel()
	_, d, _ := twoPhaseEnv(t, 8)
	// 2 MiB that does not compress, committed in the app.
	big := make([]byte, 2<<20)
	f, err := os.Open("/dev/urandom")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(f, big); err != nil {
		t.Fatal(err)
	}
	f.Close()
	d.write(filepath.Join(d.dir, "repo/public/video.bin"), string(big))
	commitAll(t, filepath.Join(d.dir, "repo"), "video")

	sent := func(args ...string) int64 {
		t.Helper()
		r := d.run(args...)
		if r.Code != 0 {
			t.Fatalf("%v exited %d:\n%s", args, r.Code, r.Output())
		}
		m := regexp.MustCompile(`sent over ssh: (\d+) bytes`).FindStringSubmatch(r.Stdout)
		if m == nil {
			t.Fatalf("no byte count in:\n%s", r.Stdout)
		}
		n, _ := strconv.ParseInt(m[1], 10, 64)
		return n
	}
	viaCopy := sent("deploy", "-s", "deploy_via=copy", "-s", "release_name=20260101000001", "-q")
	prepare := sent("deploy:prepare_release", "-s", "release_name=20260101000002", "-q")
	viaIntermediary := sent("deploy", "-s", "deploy_via=intermediate_host", "-q")
	t.Logf("8 servers, 2 MiB app: copy sent %d bytes; prepare_release %d + deploy %d = %d through the intermediary",
		viaCopy, prepare, viaIntermediary, prepare+viaIntermediary)
	if prepare+viaIntermediary > viaCopy/3 {
		t.Errorf("through the intermediary luacap sent %d bytes, copy %d: the archive did not go once", prepare+viaIntermediary, viaCopy)
	}
}
