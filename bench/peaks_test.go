package bench

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

var peaks = flag.Bool("peaks", false, "sample luacap's processes and open files during each run (every 20 ms) and print their peaks")

// peakWatch samples, while a run lasts, how many processes luacap has
// under it (rsync, its helper, git, shells) and how many files the main
// process holds open: at 64 hosts neither may grow past what --max-hosts
// allows. nil without -peaks.
type peakWatch struct {
	bin       string
	stop      chan struct{}
	done      sync.WaitGroup
	procs, fd int
}

func watchPeaks(bin string) *peakWatch {
	if !*peaks {
		return nil
	}
	w := &peakWatch{bin: bin, stop: make(chan struct{})}
	w.done.Add(1)
	go func() {
		defer w.done.Done()
		for {
			select {
			case <-w.stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			w.sample()
		}
	}()
	return w
}

// sample reads /proc once: the luacap process that is not a helper, and
// every process whose parent chain leads to it.
func (w *peakWatch) sample() {
	parent, main := map[int]int{}, 0
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(fields) > 1 {
			parent[pid], _ = strconv.Atoi(fields[1])
		}
		if exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); exe == w.bin {
			if cmd, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); !strings.Contains(string(cmd), "__rsync-shell") {
				main = pid
			}
		}
	}
	if main == 0 {
		return
	}
	n := 0
	for pid := range parent {
		for p := parent[pid]; p > 1; p = parent[p] {
			if p == main {
				n++
				break
			}
		}
	}
	fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", main))
	w.procs, w.fd = max(w.procs, n), max(w.fd, len(fds))
}

// end stops sampling and returns the peaks.
func (w *peakWatch) end() (procs, fds int) {
	if w == nil {
		return 0, 0
	}
	close(w.stop)
	w.done.Wait()
	return w.procs, w.fd
}

// binPath is bin as /proc/PID/exe shows it.
func binPath(bin string) string {
	p, err := filepath.EvalSymlinks(bin)
	if err != nil {
		return bin
	}
	return p
}
