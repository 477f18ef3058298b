package spec

import (
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// faultFlows are the rows: each flow with the steps a fault can hit.
var faultFlows = []struct {
	flow  string
	steps []string
}{
	{"deploy", []string{"deploy:lock", "deploy:create_release", "deploy:finalize_update", "deploy:symlink", "deploy:restart", "deploy:cleanup"}},
	// deploy:migrations runs deploy's tasks, with deploy:migrate in its
	// transaction before the symlink: its rows are the step it adds and
	// the one after it, whose undo must get past a migrated release.
	{"deploy:migrations", []string{"deploy:migrate", "deploy:symlink"}},
	{"deploy:rollback", []string{"deploy:lock", "deploy:rollback:revision", "deploy:restart", "deploy:rollback:cleanup"}},
}

// faultHosts is the size of each cell's cluster: h3 takes the host
// faults, and two more hosts are the rest of the fleet (h1 the primary).
const faultHosts = 3

// faultCell is one flow, one step, one fault.
type faultCell struct {
	flow, step string
	fault      faultKind
}

func (c faultCell) rollback() bool { return c.flow == "deploy:rollback" }

func (c faultCell) name() string {
	return strings.ReplaceAll(c.flow+"/"+strings.TrimPrefix(c.step, "deploy:")+"/"+c.fault.name, ":", "_")
}

// TestFaultMatrix injects every fault after every step of deploy,
// deploy:migrations and deploy:rollback on a cluster of faultHosts hosts of
// its own, and checks the invariants of "releases are never lost" after
// each, then that the recovery path works.
//
// Cells run side by side (runSideBySide): a cell mostly waits on sshd
// and on its own pauses. LUACAP_FAULT_PARALLEL overrides how many run at once. The matrix itself
// runs beside the other scenarios.
func TestFaultMatrix(t *testing.T) {
	t.Parallel()
	var cells []faultCell
	rowNum := 0
	for _, row := range faultFlows {
		for _, step := range row.steps {
			for _, f := range faultKinds {
				if f.deployOnly && row.flow == "deploy:rollback" || f.rotate != 0 && rowNum%3 != f.rotate-1 {
					continue
				}
				cells = append(cells, faultCell{flow: row.flow, step: step, fault: f})
			}
			rowNum++
		}
	}
	template := newFaultTemplate(t)
	runSideBySide(t, faultParallel(), cells, func(t *testing.T, cell faultCell) { cell.run(t, template) })
}

// runSideBySide runs each cell as a subtest named cell.name(), at most n
// at once, from goroutines rather than with t.Parallel, whose limit
// (-parallel) is the spec's for all its scenarios.
func runSideBySide[C interface{ name() string }](t *testing.T, n int, cells []C, run func(*testing.T, C)) {
	slots := make(chan struct{}, n)
	var wg sync.WaitGroup
	for _, cell := range cells {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			t.Run(cell.name(), func(t *testing.T) { run(t, cell) })
		}()
	}
	wg.Wait()
}

func faultParallel() int {
	if n, err := strconv.Atoi(os.Getenv("LUACAP_FAULT_PARALLEL")); err == nil && n > 0 {
		return n
	}
	return 8
}

// run gives the cell's cluster the releases its flow needs, injects
// the fault, checks the invariants and then the recovery path.
func (c faultCell) run(t *testing.T, template *faultTemplate) {
	opts := harness.Options{}
	if c.fault.tmpfsH3 {
		opts.TmpfsRoot = map[string]int64{"h3": 4 << 20}
	}
	cl := harness.Start(t, faultHosts, opts)
	fr := newFaultRun(t, c)
	if c.fault.proxyH3 {
		fr.h3 = proxyHost(t, cl, "h3")
	}
	fr.d = newDeployEnv(t, cl, faultDeployfile(cl, fr.dir, c.fault.deadHost))
	if c.rollback() {
		template.apply(t, cl, 2)
	} else {
		template.apply(t, cl, 1)
	}
	before := readClusterState(cl)
	runs := c.fault.inject(fr)
	after := readClusterState(cl)
	checkInvariants(t, c, before, after, runs)
	checkRecovery(t, fr.d, after)
}

// checkRecovery is invariant 7: deploy:unlock if a lock was left, then a
// deploy and a rollback succeed and leave every host on the release the
// cell left it on.
func checkRecovery(t *testing.T, d *deployEnv, after clusterState) {
	t.Helper()
	for _, name := range sortedNames(after) {
		if after[name].lock {
			if r := runFlow(t, d, "deploy:unlock"); r.code != 0 {
				t.Fatalf("invariant 7: deploy:unlock exited %d:\n%s", r.code, r.output)
			}
			break
		}
	}
	steps := [][]string{{"deploy", "-s", "release_name=29990101000001"}, {"deploy:rollback"}}
	for _, args := range steps {
		if r := runFlow(t, d, args...); r.code != 0 {
			t.Fatalf("invariant 7: recovery %s exited %d:\n%s", args[0], r.code, r.output)
		}
	}
	end := readClusterState(d.c)
	for _, name := range sortedNames(end) {
		if got, want := end[name].current, after[name].current; got != want || end[name].lock {
			t.Errorf("invariant 7: %s: after deploy and rollback current = %q (lock left %v), want %q", name, got, end[name].lock, want)
		}
	}
}

// proxyHost points the client files at a proxy in front of host name;
// the other hosts are reached directly.
func proxyHost(t *testing.T, cl *harness.Cluster, name string) *harness.Proxy {
	t.Helper()
	ports := map[string]int{}
	var p *harness.Proxy
	for _, h := range cl.Hosts {
		ports[h.Name] = h.Port
		if h.Name == name {
			p = harness.NewProxy(t, net.JoinHostPort(h.Addr, strconv.Itoa(h.Port)))
			ports[h.Name] = p.Port()
		}
	}
	if err := cl.WriteClientFilesVia(ports); err != nil {
		t.Fatal(err)
	}
	return p
}
