package bench

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/luacap/luacap/spec/harness"
)

var (
	hostCounts = flag.String("hosts", "1,4,16,64", "host counts to deploy to")
	rtts       = flag.String("rtt", "0,20,40", "round-trip times to emulate, in ms")
	runs       = flag.Int("runs", 3, "runs of each phase; the median is reported")
	show       = flag.Bool("show", false, "print luacap's output of each run")
	maxHosts   = flag.Int("max-hosts", 0, "luacap's --max-hosts (0: none)")
)

const deployTo = "/var/www/bench"

// phases of one run, in order: a first deploy to clean hosts, a repeat
// deploy, and a rollback.
var phases = []string{"first", "repeat", "rollback"}

type sample struct {
	wall  time.Duration
	cpu   time.Duration // luacap's own user+system time
	rss   int64         // KiB
	bytes int64
}

// BenchmarkDeploy deploys a sample app of 300 files with linked dirs and
// files and a Passenger restart, for each host count and RTT, and prints
// the median wall time, the slope of wall time against RTT (the round
// trips on the critical path), the peak RSS and the bytes luacap sent.
func BenchmarkDeploy(b *testing.B) {
	bin, err := harness.Build(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	fmt.Printf("%-6s %-6s %-9s %10s %10s %9s %12s\n", "hosts", "rtt", "phase", "median", "luacap-cpu", "rss", "sent")
	for _, n := range ints(*hostCounts) {
		b.Run(fmt.Sprintf("hosts=%d", n), func(b *testing.B) { benchHosts(b, bin, n) })
	}
	b.Run("tasks-list", func(b *testing.B) { benchTaskList(b, bin) })
}

func benchHosts(b *testing.B, bin string, n int) {
	c := harness.Start(b, n, harness.Options{})
	dir := sampleApp(b, c)
	medians := map[string][]float64{} // phase -> median ms per RTT
	release := 0
	for _, rtt := range ints(*rtts) {
		delayHosts(b, c, rtt)
		samples := map[string][]sample{}
		for r := 0; r < *runs; r++ {
			clean(b, c)
			for _, phase := range phases {
				task := "deploy"
				if phase == "rollback" {
					task = "deploy:rollback"
				}
				release++
				trace := traceHosts(b, c)
				samples[phase] = append(samples[phase], deploy(b, bin, c, dir, task, release))
				trace.report(phase)
			}
		}
		for _, phase := range phases {
			m := median(samples[phase])
			medians[phase] = append(medians[phase], float64(m.wall.Milliseconds()))
			fmt.Printf("%-6d %-6s %-9s %8dms %8dms %7dMB %11dB\n", n, fmt.Sprint(rtt, "ms"), phase, m.wall.Milliseconds(), m.cpu.Milliseconds(), m.rss/1024, m.bytes)
		}
	}
	for _, phase := range phases {
		s := slope(ints(*rtts), medians[phase])
		fmt.Printf("%-6d slope  %-9s %6.1f round trips on the critical path\n", n, phase, s)
		b.ReportMetric(s, phase+"-rtts")
	}
}

// deploy runs one luacap task and returns what it cost.
func deploy(b *testing.B, bin string, c *harness.Cluster, dir, task string, release int) sample {
	start := time.Now()
	level := "-q"
	if *show {
		level = "-v"
	}
	args := []string{task, level, "-s", fmt.Sprintf("release_name=20260101%06d", release)}
	if *maxHosts > 0 {
		args = append(args, "--max-hosts", fmt.Sprint(*maxHosts))
	}
	r := harness.Run(b, bin, dir, c.Home(), []string{"USER=bench"}, args...)
	wall := time.Since(start)
	if *show {
		fmt.Print(r.Stdout)
	}
	if r.Code != 0 {
		b.Fatalf("%s exited %d:\n%s", task, r.Code, r.Output())
	}
	s := sample{wall: wall, rss: r.MaxRSSKiB, cpu: r.CPU}
	if m := regexp.MustCompile(`sent over ssh: (\d+) bytes`).FindStringSubmatch(r.Stdout); m != nil {
		s.bytes, _ = strconv.ParseInt(m[1], 10, 64)
	}
	return s
}

// clean empties every host, leaving the shared file a first deploy needs.
func clean(b *testing.B, c *harness.Cluster) {
	for _, h := range c.Hosts {
		if err := os.RemoveAll(h.Path(deployTo)); err != nil {
			b.Fatal(err)
		}
		write(b, h.Path(deployTo+"/shared/config/database.yml"), "production: {}\n")
	}
}

// sampleApp writes the Deployfile and an app of 300 files.
func sampleApp(b *testing.B, c *harness.Cluster) string {
	dir := b.TempDir()
	var servers strings.Builder
	for i, h := range c.Hosts {
		extra := ""
		if i == 0 {
			extra = `, "db"`
		}
		fmt.Fprintf(&servers, "server(%q, { roles = { \"web\", \"app\"%s } })\n", h.Name, extra)
	}
	write(b, filepath.Join(dir, "Deployfile.lua"), fmt.Sprintf(`
set("ssh_options", { config = %q })
set("application", "bench")
set("deploy_to", %q)
set("deploy_via", "copy")
set("copy_source", "app")
set("linked_files", { "config/database.yml" })
set("linked_dirs", { "log", "tmp/pids", "public/system" })
use("passenger")
%s`, c.SSHConfig, deployTo, servers.String()))
	for i := 0; i < 300; i++ {
		name := fmt.Sprintf("app/%s/file%03d.%s", []string{"app/models", "app/views", "public", "lib", "config"}[i%5], i, "rb")
		write(b, filepath.Join(dir, name), strings.Repeat(fmt.Sprintf("line %d of a sample source file\n", i), 60))
	}
	return dir
}

// benchTaskList times luacap -T on the sample Deployfile.
func benchTaskList(b *testing.B, bin string) {
	c := harness.Start(b, 1, harness.Options{})
	dir := sampleApp(b, c)
	var walls []sample
	for i := 0; i < 20; i++ {
		start := time.Now()
		r := harness.Run(b, bin, dir, c.Home(), nil, "-T")
		if r.Code != 0 {
			b.Fatal(r.Output())
		}
		walls = append(walls, sample{wall: time.Since(start), rss: r.MaxRSSKiB})
	}
	m := median(walls)
	fmt.Printf("luacap -T: median %.1fms over 20 runs, %dMB peak RSS\n", float64(m.wall.Microseconds())/1000, m.rss/1024)
	b.ReportMetric(float64(m.wall.Microseconds())/1000, "ms-tasks-list")
}

func median(s []sample) sample {
	sorted := append([]sample(nil), s...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].wall < sorted[j].wall })
	m := sorted[len(sorted)/2]
	for _, x := range s { // memory and bytes: the worst run
		m.rss, m.bytes = max(m.rss, x.rss), max(m.bytes, x.bytes)
	}
	return m
}

// slope fits wall time (ms) against RTT (ms) by least squares: the number
// of round trips on the critical path, whatever the machine's speed.
func slope(xs []int, ys []float64) float64 {
	var mx, my float64
	for i := range xs {
		mx += float64(xs[i])
		my += ys[i]
	}
	mx, my = mx/float64(len(xs)), my/float64(len(ys))
	var num, den float64
	for i := range xs {
		num += (float64(xs[i]) - mx) * (ys[i] - my)
		den += (float64(xs[i]) - mx) * (float64(xs[i]) - mx)
	}
	if den == 0 {
		return 0
	}
	return num / den
}

func ints(list string) []int {
	var out []int
	for _, f := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err == nil {
			out = append(out, n)
		}
	}
	return out
}

func write(b *testing.B, path, body string) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		b.Fatal(err)
	}
}

// delayHosts puts every host behind a proxy that adds rtt, and points
// the cluster's ssh_config at the proxies.
func delayHosts(b *testing.B, c *harness.Cluster, rtt int) {
	ports := map[string]int{}
	for _, h := range c.Hosts {
		ports[h.Name] = harness.StartDelayProxy(b, fmt.Sprintf("127.0.0.1:%d", h.Port), time.Duration(rtt)*time.Millisecond)
	}
	if err := c.WriteClientFilesVia(ports); err != nil {
		b.Fatal(err)
	}
}
