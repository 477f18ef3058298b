package bench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/luacap/luacap/spec/harness"
)

// floorTo is where the floor's rsync sends the asset set on every host.
const floorTo = "/var/www/floor"

// BenchmarkFloor measures what no deploy over SSH goes below on this
// machine, for each host count and RTT of BenchmarkAssets: reaching every
// host and running `true` (luacap's connections; OpenSSH's ssh, one per
// host, all at once), and the assets step alone as a script would run it
// (an rsync over a new ssh per host, all at once, of the seed scenario's
// 200-file build, 20 files new and 180 linked from the previous set). The
// deploy does all of that and more, so its wall time cannot be lower:
// beside BenchmarkAssets' figures it says how much of them is the
// machine's (its cores run the servers too) and the network's.
func BenchmarkFloor(b *testing.B) {
	bin, err := harness.Build(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	fmt.Printf("%-6s %-6s %-26s %10s %11s\n", "hosts", "rtt", "floor", "median", "machine-cpu")
	for _, n := range ints(*hostCounts) {
		b.Run(fmt.Sprintf("hosts=%d", n), func(b *testing.B) { benchFloorHosts(b, bin, n) })
	}
}

// floorWay is one thing every deploy to the hosts does at least.
type floorWay struct {
	name string
	run  func(b *testing.B, bin string, c *harness.Cluster, dir string)
}

var floorWays = []floorWay{
	{"luacap: connect, true", floorLuacap},
	{"ssh: connect, true", floorSSH},
	{"rsync over ssh: the assets", floorRsync},
}

func benchFloorHosts(b *testing.B, bin string, n int) {
	c := harness.Start(b, n, harness.Options{})
	dir := floorApp(b, c)
	for _, rtt := range ints(*rtts) {
		delayHosts(b, c, rtt)
		for _, way := range floorWays {
			var walls []sample
			var machine []time.Duration
			for r := 0; r < *runs; r++ {
				floorReset(b, c)
				before, start := machineCPU(b), time.Now()
				way.run(b, bin, c, dir)
				walls = append(walls, sample{wall: time.Since(start)})
				machine = append(machine, machineCPU(b)-before)
			}
			fmt.Printf("%-6d %-6s %-26s %8dms %9dms\n", n, fmt.Sprint(rtt, "ms"), way.name,
				median(walls).wall.Milliseconds(), medianDuration(machine).Milliseconds())
		}
	}
}

// floorApp writes a Deployfile whose one task runs `true` on every host,
// and the seed scenario's asset set, as its build writes it, in assets/.
func floorApp(b *testing.B, c *harness.Cluster) string {
	dir := b.TempDir()
	var servers strings.Builder
	for _, h := range c.Hosts {
		fmt.Fprintf(&servers, "server(%q, { roles = { \"web\" } })\n", h.Name)
	}
	write(b, filepath.Join(dir, "Deployfile.lua"), fmt.Sprintf(`set("ssh_options", { config = %q })
%s
desc("Runs true on every host")
task("noop", function() on(roles("all"), function() execute("true") end) end)
`, c.SSHConfig, servers.String()))
	for i, body := range assetSet("new") {
		write(b, filepath.Join(dir, "assets", fmt.Sprintf("asset%d.js", i)), body)
	}
	return dir
}

// assetSet is the build's 200 files; the first changedAssets carry version.
func assetSet(version string) []string {
	src := strings.Repeat("function f() { return 1 }\n", 40)
	set := make([]string, assetFiles)
	for i := range set {
		set[i] = fmt.Sprintf("%d %s", i, src)
		if i < changedAssets {
			set[i] = fmt.Sprintf("%d %s %s", i, version, src)
		}
	}
	return set
}

// floorReset gives every host the previous asset set and no new one.
func floorReset(b *testing.B, c *harness.Cluster) {
	for _, h := range c.Hosts {
		if err := os.RemoveAll(h.Path(floorTo)); err != nil {
			b.Fatal(err)
		}
		for i, body := range assetSet("old") {
			write(b, h.Path(fmt.Sprintf("%s/prev/asset%d.js", floorTo, i)), body)
		}
	}
}

func floorLuacap(b *testing.B, bin string, c *harness.Cluster, dir string) {
	if r := harness.Run(b, bin, dir, c.Home(), nil, "-q", "noop"); r.Code != 0 {
		b.Fatalf("luacap noop exited %d:\n%s", r.Code, r.Output())
	}
}

func floorSSH(b *testing.B, _ string, c *harness.Cluster, _ string) {
	eachHost(b, c, func(h *harness.Host) *exec.Cmd {
		return exec.Command("ssh", "-F", c.SSHConfig, "-o", "BatchMode=yes", h.Name, "true")
	})
}

func floorRsync(b *testing.B, _ string, c *harness.Cluster, dir string) {
	shell := fmt.Sprintf("ssh -F %s -o BatchMode=yes", c.SSHConfig)
	eachHost(b, c, func(h *harness.Host) *exec.Cmd {
		return exec.Command("rsync", "-a", "--checksum", "--delete", "-z", "--link-dest="+floorTo+"/prev", "-e", shell,
			filepath.Join(dir, "assets")+"/", h.Name+":"+floorTo+"/new/")
	})
}

// eachHost runs one command per host, all at once, and waits for them.
func eachHost(b *testing.B, c *harness.Cluster, command func(h *harness.Host) *exec.Cmd) {
	var wg sync.WaitGroup
	errs := make([]error, len(c.Hosts))
	for i, h := range c.Hosts {
		cmd := command(h)
		cmd.Env = []string{"HOME=" + c.Home(), "PATH=" + os.Getenv("PATH")}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if out, err := cmd.CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("%s: %v: %v\n%s", h.Name, cmd.Args, err, out)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			b.Fatal(err)
		}
	}
}
