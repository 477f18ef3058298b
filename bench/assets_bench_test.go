package bench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/luacap/luacap/spec/harness"
)

// assetFiles is how many files the seed scenario's asset build writes;
// changedAssets of them get new digests (new names) on every deploy, as
// a change to the app's JavaScript does in Rails.
const assetFiles, changedAssets = 200, 20

// BenchmarkAssets is the seed scenario: deploy:migrations of a 300-file
// git app with the assets built once here and rsynced into
// shared/public/assets of every web host (use("rails/assets_local"),
// assets_shared = true), migrations on the db primary and a Passenger
// restart. Each deploy commits a change to the assets first, so every
// repeat deploy builds and sends them. Besides what BenchmarkDeploy
// prints, "machine-cpu" is the CPU the whole machine spent during the run
// (the servers' tar and rsync, and luacap's): on a small machine it
// bounds the wall time.
func BenchmarkAssets(b *testing.B) {
	bin, err := harness.Build(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	fmt.Printf("%-6s %-6s %-9s %10s %10s %11s %9s %12s\n", "hosts", "rtt", "phase", "median", "luacap-cpu", "machine-cpu", "rss", "sent")
	for _, n := range ints(*hostCounts) {
		b.Run(fmt.Sprintf("hosts=%d", n), func(b *testing.B) { benchAssetsHosts(b, bin, n) })
	}
}

func benchAssetsHosts(b *testing.B, bin string, n int) {
	c := harness.Start(b, n, harness.Options{})
	dir := seedApp(b, c)
	capRun := newCapRunner(b, c, dir)
	medians, capMedians := map[string][]float64{}, map[string][]float64{}
	release := 0
	for _, rtt := range ints(*rtts) {
		delayHosts(b, c, rtt)
		samples := map[string][]sample{}
		machine := map[string][]time.Duration{}
		for r := 0; r < *runs; r++ {
			clean(b, c)
			for _, phase := range phases {
				task := "deploy:migrations"
				if phase == "rollback" {
					task = "deploy:rollback"
				} else {
					changeAssets(b, dir, release)
				}
				release++
				before, trace, watch := machineCPU(b), traceHosts(b, c), watchPeaks(binPath(bin))
				samples[phase] = append(samples[phase], deploy(b, bin, c, dir, task, release))
				machine[phase] = append(machine[phase], machineCPU(b)-before)
				trace.report(phase)
				if procs, fds := watch.end(); watch != nil {
					fmt.Printf("%-6d %-6s %-9s peak: %d processes under luacap, %d open files\n", n, fmt.Sprint(rtt, "ms"), phase, procs, fds)
				}
			}
		}
		for _, phase := range phases {
			m := median(samples[phase])
			medians[phase] = append(medians[phase], float64(m.wall.Milliseconds()))
			fmt.Printf("%-6d %-6s %-9s %8dms %8dms %9dms %7dMB %11dB\n", n, fmt.Sprint(rtt, "ms"), phase,
				m.wall.Milliseconds(), m.cpu.Milliseconds(), medianDuration(machine[phase]).Milliseconds(), m.rss/1024, m.bytes)
		}
		for phase, ms := range capPhases(b, capRun, c, dir, n, rtt, &release, samples) {
			capMedians[phase] = append(capMedians[phase], ms)
		}
	}
	for _, phase := range phases {
		s := slope(ints(*rtts), medians[phase])
		fmt.Printf("%-6d slope  %-9s %6.1f round trips on the critical path\n", n, phase, s)
		b.ReportMetric(s, phase+"-rtts")
	}
	for _, phase := range phases {
		if ms := capMedians[phase]; len(ms) > 0 {
			fmt.Printf("%-6d slope  %-9s %6.1f round trips on Capistrano's critical path\n", n, phase, slope(ints(*rtts), ms))
		}
	}
}

// seedApp writes the Deployfile and a git repository of 300 files whose
// asset build writes assetFiles files into public/assets.
func seedApp(b *testing.B, c *harness.Cluster) string {
	dir := sampleApp(b, c) // the Deployfile and app/ of BenchmarkDeploy
	deployfile := filepath.Join(dir, "Deployfile.lua")
	src, err := os.ReadFile(deployfile)
	if err != nil {
		b.Fatal(err)
	}
	build := assetsBuild()
	seed := strings.Replace(string(src), `set("copy_source", "app")`, `set("repo_url", "app")
set("local_repo", "app")
set("migrate_command", "echo migrated")
use("rails/assets_local")
set("assets_shared", true)
set("assets_roles", { "web" })
set("assets_dependencies", { "app/assets" })
set("assets_build_command", `+fmt.Sprintf("%q", build)+`)`, 1)
	seed = strings.Replace(seed, `"public/system" }`, `"public/system", "public/assets" }`, 1)
	write(b, deployfile, seed)
	write(b, filepath.Join(dir, "app/app/assets/source.js"), strings.Repeat("function f() { return 1 }\n", 40))
	gitIn(b, filepath.Join(dir, "app"), "init", "-q", "-b", "main")
	return dir
}

// assetsBuild is the seed app's asset build. One awk writes every file:
// the build's own cost is not what is measured.
func assetsBuild() string {
	return fmt.Sprintf(`mkdir -p public/assets && awk -v v="$(cat app/assets/version)" 'BEGIN { `+
		`while ((getline l < "app/assets/source.js") > 0) src = src l "\n"; `+
		`for (i = 0; i < %d; i++) { f = "public/assets/asset" (i < %d ? i "-" v : i) ".js"; printf "%%d %%s", i, src > f; close(f) } }'`,
		assetFiles, changedAssets)
}

// changeAssets commits a new asset version, so the next deploy builds.
func changeAssets(b *testing.B, dir string, version int) {
	repo := filepath.Join(dir, "app")
	write(b, filepath.Join(repo, "app/assets/version"), fmt.Sprintf("%d\n", version))
	gitIn(b, repo, "add", "-A")
	gitIn(b, repo, "-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-q", "-m", fmt.Sprint("v", version))
}

func gitIn(b *testing.B, dir string, args ...string) {
	if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
		b.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// machineCPU is the CPU time every core of the machine has spent busy.
func machineCPU(b *testing.B) time.Duration {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		b.Fatal(err)
	}
	fields := strings.Fields(strings.SplitN(string(data), "\n", 2)[0])
	var busy int64
	for i, f := range fields[1:] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		var v int64
		fmt.Sscan(f, &v)
		busy += v
	}
	return time.Duration(busy) * 10 * time.Millisecond // USER_HZ is 100
}

func medianDuration(ds []time.Duration) time.Duration {
	s := make([]sample, len(ds))
	for i, d := range ds {
		s[i].wall = d
	}
	return median(s).wall
}
