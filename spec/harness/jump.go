package harness

import (
	"fmt"
	"os"
	"os/exec"
	"sync/atomic"
	"testing"
)

var netnsSeq atomic.Int32

// StartBehindJump starts two hosts in a network namespace of their own:
// "jump" listens on a veth address this machine can reach, "inner" only
// on the namespace's loopback, which nothing outside it can reach. The
// ssh_config reaches inner with ProxyJump jump.
func StartBehindJump(t testing.TB) *Cluster {
	t.Helper()
	c, err := newCluster(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	k := int(netnsSeq.Add(1))%200 + os.Getpid()%50
	ns, outer, inner := fmt.Sprintf("luacap-%d-%d", os.Getpid(), k), fmt.Sprintf("lcp%da", k), fmt.Sprintf("lcp%db", k)
	jumpAddr := fmt.Sprintf("10.213.%d.2", k)
	steps := [][]string{
		{"ip", "netns", "add", ns},
		{"ip", "link", "add", outer, "type", "veth", "peer", "name", inner},
		{"ip", "link", "set", inner, "netns", ns},
		{"ip", "addr", "add", fmt.Sprintf("10.213.%d.1/30", k), "dev", outer},
		{"ip", "link", "set", outer, "up"},
		{"ip", "netns", "exec", ns, "ip", "addr", "add", jumpAddr + "/30", "dev", inner},
		{"ip", "netns", "exec", ns, "ip", "link", "set", inner, "up"},
		{"ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"},
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	for _, s := range steps {
		if out, err := exec.Command(s[0], s[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", s, err, out)
		}
	}
	if _, err := c.AddHost("jump", jumpAddr, 2222, ns, Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddHost("inner", "127.0.0.1", 2200, ns, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteClientFiles(); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(c.SSHConfig, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// The ProxyJump line goes in a Host block before inner's own, as ssh
	// takes the first value it finds.
	if _, err := fmt.Fprintf(f, "Host inner\n  ProxyJump jump\n"); err != nil {
		t.Fatal(err)
	}
	return c
}
