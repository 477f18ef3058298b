package bench

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/luacap/luacap/spec/harness"
)

var procs = flag.Bool("procs", false, "count the programs and processes each host runs per phase (strace on its sshd; slows the run)")

// tracer follows every host's sshd with strace for one run: each program
// a host runs (execve) and each process it makes (fork, vfork, clone: a
// `$(...)` subshell is one too) costs milliseconds of the host's CPU, and
// at 16 hosts on one machine that CPU is the wall time.
type tracer struct {
	b      *testing.B
	hosts  []string
	cmds   []*exec.Cmd
	files  []string
	stderr strings.Builder
}

// traceHosts starts strace on every host's sshd and returns once each is
// attached; nil without -procs.
func traceHosts(b *testing.B, c *harness.Cluster) *tracer {
	if !*procs {
		return nil
	}
	t := &tracer{b: b}
	dir := b.TempDir()
	for _, h := range c.Hosts {
		file := filepath.Join(dir, h.Name+".strace")
		cmd := exec.Command("strace", "-f", "-qq", "-z", "-e", "trace=execve,fork,vfork,clone,clone3", "-e", "signal=none",
			"-o", file, "-p", strconv.Itoa(h.Pid()))
		cmd.Stderr = &t.stderr
		if err := cmd.Start(); err != nil {
			b.Fatalf("strace (needed by -procs): %v", err)
		}
		t.hosts, t.cmds, t.files = append(t.hosts, h.Name), append(t.cmds, cmd), append(t.files, file)
		waitTraced(b, h.Pid())
	}
	return t
}

// waitTraced waits until pid has a tracer, so no command escapes the count.
func waitTraced(b *testing.B, pid int) {
	for i := 0; i < 1000; i++ {
		status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			b.Fatal(err)
		}
		if m := regexp.MustCompile(`TracerPid:\s*(\d+)`).FindSubmatch(status); m != nil && string(m[1]) != "0" {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	b.Fatalf("strace did not attach to sshd pid %d", pid)
}

// report stops the tracing and prints, per host, the programs run and
// the processes made during phase.
func (t *tracer) report(phase string) {
	if t == nil {
		return
	}
	for i, cmd := range t.cmds {
		cmd.Process.Signal(syscall.SIGINT)
		cmd.Wait()
		data, err := os.ReadFile(t.files[i])
		if err != nil {
			t.b.Fatalf("strace on %s: %v\n%s", t.hosts[i], err, t.stderr.String())
		}
		execs, forks, programs := countProcs(string(data))
		fmt.Printf("procs  %-6s %-9s %4d programs %4d processes: %s\n", t.hosts[i], phase, execs, forks, programs)
	}
}

var (
	execLine = regexp.MustCompile(`^\d+ +execve\("([^"]*)"`)
	forkLine = regexp.MustCompile(`^\d+ +(?:<\.\.\. )?(?:clone3?|v?fork)\b.*= (\d+)$`)
)

// countProcs reads strace's output (-f -z: successful calls only, each
// line prefixed with its pid): the programs executed, the processes
// made (threads, CLONE_THREAD, left out), and the programs by name, most
// run first.
func countProcs(out string) (execs, forks int, programs string) {
	byName := map[string]int{}
	for _, line := range strings.Split(out, "\n") {
		if m := execLine.FindStringSubmatch(line); m != nil {
			execs++
			byName[filepath.Base(m[1])]++
		} else if m := forkLine.FindStringSubmatch(line); m != nil && m[1] != "0" && !strings.Contains(line, "CLONE_THREAD") {
			forks++
		}
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if byName[names[i]] != byName[names[j]] {
			return byName[names[i]] > byName[names[j]]
		}
		return names[i] < names[j]
	})
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s %d", n, byName[n])
	}
	return execs, forks, strings.Join(parts, ", ")
}
