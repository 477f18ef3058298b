package spec

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/luacap/luacap/spec/harness"
)

// liveMarker is the file the switch of current writes into a release:
// the release went live.
const liveMarker = ".luacap-live"

// hostState is what the invariants read on one host.
type hostState struct {
	current    string          // the release current points at, "" if none
	currentDir bool            // current resolves to a directory under releases/
	live       map[string]bool // releases that went live
	releases   []string        // every release directory
	shared     string          // a hash of shared/, without shared/log
	lock       bool            // .luacap.lock, file or directory, is there
}

func readHostState(h *harness.Host) hostState {
	s := hostState{live: map[string]bool{}, shared: hashTree(h.Path(shop+"/shared"), "log")}
	if target, err := os.Readlink(h.Path(shop + "/current")); err == nil {
		s.current = filepath.Base(target)
		fi, err := os.Stat(h.Path(shop + "/releases/" + s.current))
		s.currentDir = err == nil && fi.IsDir() && filepath.Dir(target) == shop+"/releases"
	}
	entries, _ := os.ReadDir(h.Path(shop + "/releases"))
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		s.releases = append(s.releases, e.Name())
		if _, err := os.Stat(h.Path(shop + "/releases/" + e.Name() + "/" + liveMarker)); err == nil {
			s.live[e.Name()] = true
		}
	}
	sort.Strings(s.releases)
	_, err := os.Lstat(h.Path(shop + "/.luacap.lock"))
	s.lock = err == nil
	return s
}

// clusterState is every host's state, by host name.
type clusterState map[string]hostState

func readClusterState(c *harness.Cluster) clusterState {
	out := clusterState{}
	for _, h := range c.Hosts {
		out[h.Name] = readHostState(h)
	}
	return out
}

// hashTree hashes the names, modes, symlink targets and contents under
// root, leaving out the top-level directory skip.
func hashTree(root, skip string) string {
	sum := sha256.New()
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			fmt.Fprintf(sum, "error %s\n", path)
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		if rel == skip {
			return filepath.SkipDir
		}
		fmt.Fprintf(sum, "%s %v\n", rel, d.Type())
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(path)
			fmt.Fprintf(sum, "-> %s\n", target)
		case d.Type().IsRegular():
			b, _ := os.ReadFile(path)
			sum.Write(b)
		}
		return nil
	})
	return fmt.Sprintf("%x", sum.Sum(nil))
}

// split groups the hosts by their current release; the largest group
// first.
func (s clusterState) split() [][]string {
	by := map[string][]string{}
	for name, h := range s {
		by[h.current] = append(by[h.current], name)
	}
	var groups [][]string
	for _, g := range by {
		sort.Strings(g)
		groups = append(groups, g)
	}
	sort.Slice(groups, func(i, j int) bool {
		if len(groups[i]) != len(groups[j]) {
			return len(groups[i]) > len(groups[j])
		}
		return groups[i][0] < groups[j][0]
	})
	return groups
}

// currents lists each host's current, for failure messages.
func (s clusterState) currents() string {
	var parts []string
	for _, name := range sortedNames(s) {
		parts = append(parts, name+"="+s[name].current)
	}
	return strings.Join(parts, " ")
}

func sortedNames(s clusterState) []string {
	var names []string
	for n := range s {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
