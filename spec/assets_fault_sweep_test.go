package spec

import (
	"os"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// assetsCell is one cell of the sweep: a flow, the step after which the
// fault comes, and the fault (one of faultKinds).
type assetsCell struct {
	flow, step string
	fault      faultKind
}

func (c assetsCell) name() string {
	return strings.ReplaceAll(c.flow+"/"+strings.TrimPrefix(c.step, "deploy:")+"/"+c.fault.name, ":", "_")
}

func assets9Fault(name string) faultKind {
	for _, f := range faultKinds {
		if f.name == name {
			return f
		}
	}
	panic("no fault " + name)
}

// run deploys the baseline (two releases for a rollback, one else),
// injects the fault, checks invariants 1 to 3, then the recovery: a
// deploy:unlock where a lock is left (a killed run cannot say so; any
// other run must have said to), a deploy, and a rollback, each serving
// its release's own set.
func (c assetsCell) run(t *testing.T) {
	cl := harness.Start(t, 3, harness.Options{})
	fr := newFaultRun(t, faultCell{flow: c.flow, step: c.step, fault: c.fault})
	e := newAssetsEnv(t, cl, fr.dir, c.fault.deadHost, "")
	fr.d = e.d
	e.deploy("20200101000001")
	if c.flow == "deploy:rollback" {
		e.deploy("20200101000002")
	} else {
		e.bump()
	}
	before := readClusterState(cl)
	runs := c.fault.inject(fr)
	after := readClusterState(cl)
	e.served("after the fault")
	e.keptSets("after the fault", before, after, c.flow == "deploy:rollback")
	for _, name := range sortedNames(after) {
		a := after[name]
		if !a.live[a.current] || !(before[name].live[a.current] || !contains(before[name].releases, a.current)) {
			t.Errorf("%s: current = %q, not a release live before nor the new one", name, a.current)
		}
	}
	locked := false
	for _, name := range sortedNames(after) {
		locked = locked || after[name].lock
	}
	if locked {
		if !c.fault.noOutput && !strings.Contains(runs[0].output, "deploy:unlock") {
			t.Errorf("a lock is left and the run does not say to run deploy:unlock:\n%s", tail(runs[0].output, 15))
		}
		mustSucceed(t, e.d.run("deploy:unlock"))
	}
	if t.Failed() {
		t.Logf("the run exited %d; before: %s; after: %s; its output ends:\n%s", runs[0].code, before.currents(), after.currents(), tail(runs[0].output, 25))
	}
	e.recover(after)
}

// recover deploys a new version and rolls it back: each serves its own
// set, and the rollback puts every host back where the fault left it.
func (e *assetsEnv) recover(after clusterState) {
	e.t.Helper()
	e.bump()
	if r := e.d.run("deploy", "-s", "release_name=29990101000001"); r.Code != 0 {
		e.t.Fatalf("recovery: deploy exited %d:\n%s", r.Code, r.Output())
	}
	e.served("the recovery deploy")
	if r := e.d.run("deploy:rollback"); r.Code != 0 {
		e.t.Fatalf("recovery: rollback exited %d:\n%s", r.Code, r.Output())
	}
	e.served("the recovery rollback")
	if len(after.split()) == 1 {
		for _, h := range e.c.Hosts {
			if got := e.d.current(h); got != after[h.Name].current {
				e.t.Errorf("recovery: %s: rolled back to %q, want %q", h.Name, got, after[h.Name].current)
			}
		}
	}
}

// assets9Faults are the sweep's columns.
var assets9Faults = []string{"kill-9", "SIGINT", "fail-h3", "sshd-killed-h3"}

// assets9Cells is the whole sweep: flows × steps × faults, 44 cells.
// Every cell held when it was written; it costs minutes, so CI runs
// assets9Compact and LUACAP_ASSETS_SWEEP=full runs it all.
func assets9Cells() []assetsCell {
	rows := []struct {
		flow  string
		steps []string
	}{
		{"deploy", []string{"deploy:lock", "deploy:assets:precompile", "deploy:symlink", "deploy:restart", "deploy:cleanup"}},
		{"deploy:migrations", []string{"deploy:assets:precompile", "deploy:migrate", "deploy:symlink"}},
		{"deploy:rollback", []string{"deploy:lock", "deploy:rollback:revision", "deploy:restart"}},
	}
	var cells []assetsCell
	for _, row := range rows {
		for _, step := range row.steps {
			for _, f := range assets9Faults {
				cells = append(cells, assetsCell{flow: row.flow, step: step, fault: assets9Fault(f)})
			}
		}
	}
	return cells
}

// assets9Compact are the cells CI runs: each fault once, where the
// assets flow has the most to keep right: a signal while the new set is
// aside (undone everywhere); a dead host after the switch of current and
// shared/ (a split fleet); a failure after a migration; a rollback's
// switch killed (the lock left).
var assets9Compact = []assetsCell{
	{"deploy", "deploy:assets:precompile", assets9Fault("SIGINT")},
	{"deploy", "deploy:symlink", assets9Fault("sshd-killed-h3")},
	{"deploy:migrations", "deploy:migrate", assets9Fault("fail-h3")},
	{"deploy:rollback", "deploy:rollback:revision", assets9Fault("kill-9")},
}

// TestAttack9AssetsFaultSweep injects the faults of the fault matrix
// into the assets flow (deploy, deploy:migrations and deploy:rollback
// with assets_shared, three web hosts), each cell on a cluster of its
// own, and checks that every host's current serves its own set, that no
// set a live release kept is lost, and the recovery.
func TestAttack9AssetsFaultSweep(t *testing.T) {
	t.Parallel()
	cells := assets9Compact
	if os.Getenv("LUACAP_ASSETS_SWEEP") == "full" {
		cells = assets9Cells()
	}
	runSideBySide(t, 4, cells, func(t *testing.T, cell assetsCell) { cell.run(t) }) // a cell mostly waits on sshd
}
