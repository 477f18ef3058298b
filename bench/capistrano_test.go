package bench

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/luacap/luacap/spec/harness"
)

var capistrano = flag.Bool("capistrano", true, "also run Capistrano 3 (bench/capistrano, where `cap` is installed: apt-get install capistrano) on the same hosts, and print the ratio")

// capRunner deploys BenchmarkAssets' app with Capistrano 3: the same
// hosts, repository, asset build and steps, as bench/capistrano writes
// them for Capistrano.
type capRunner struct {
	dir string   // a copy of bench/capistrano
	env []string // what bench/capistrano reads
}

// newCapRunner is nil when Capistrano is not to run, saying why once.
func newCapRunner(b *testing.B, c *harness.Cluster, appDir string) *capRunner {
	if !*capistrano {
		return nil
	}
	if _, err := exec.LookPath("cap"); err != nil {
		fmt.Println("capistrano: not run, `cap` is not installed (apt-get install capistrano)")
		return nil
	}
	dir := b.TempDir()
	if out, err := exec.Command("cp", "-R", "capistrano/.", dir).CombinedOutput(); err != nil {
		b.Fatalf("copying bench/capistrano: %v\n%s", err, out)
	}
	hosts := make([]string, len(c.Hosts))
	for i, h := range c.Hosts {
		hosts[i] = h.Name
	}
	return &capRunner{dir: dir, env: []string{
		"HOME=" + c.Home(), "PATH=" + os.Getenv("PATH"), "USER=bench",
		"BENCH_REPO=" + filepath.Join(appDir, "app"),
		"BENCH_SSH_CONFIG=" + c.SSHConfig,
		"BENCH_HOSTS=" + strings.Join(hosts, ","),
		"BENCH_ASSETS_BUILD=" + assetsBuild(),
		"BENCH_MIGRATE=echo migrated",
	}}
}

// deploy runs `cap bench task` and times it.
func (r *capRunner) deploy(b *testing.B, task string) sample {
	start := time.Now()
	cmd := exec.Command("cap", "bench", task)
	cmd.Dir, cmd.Env = r.dir, r.env
	out, err := cmd.CombinedOutput()
	wall := time.Since(start)
	if *show {
		fmt.Print(string(out))
	}
	if err != nil {
		b.Fatalf("cap bench %s: %v\n%s", task, err, out)
	}
	return sample{wall: wall, cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
}

// capPhases runs Capistrano's runs at one RTT, as luacap's ran, prints
// each phase's median beside luacap's, and returns the medians in ms.
func capPhases(b *testing.B, r *capRunner, c *harness.Cluster, appDir string, n, rtt int, release *int, luacap map[string][]sample) map[string]float64 {
	if r == nil {
		return nil
	}
	samples := map[string][]sample{}
	for run := 0; run < *runs; run++ {
		clean(b, c)
		for _, phase := range phases {
			task := "deploy"
			if phase == "rollback" {
				task = "deploy:rollback"
			} else {
				changeAssets(b, appDir, *release)
			}
			*release++
			samples[phase] = append(samples[phase], r.deploy(b, task))
		}
	}
	medians := map[string]float64{}
	for _, phase := range phases {
		m, l := median(samples[phase]), median(luacap[phase])
		medians[phase] = float64(m.wall.Milliseconds())
		fmt.Printf("%-6d %-6s %-9s %8dms %8dms  capistrano, %.1fx luacap's wall time\n", n, fmt.Sprint(rtt, "ms"), phase,
			m.wall.Milliseconds(), m.cpu.Milliseconds(), float64(m.wall)/float64(l.wall))
	}
	return medians
}
