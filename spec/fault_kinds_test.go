package spec

import (
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/luacap/luacap/spec/harness"
)

// faultKind is one column of the matrix: how the run at its step is
// disturbed, and what the run's exit must then say.
type faultKind struct {
	name string
	// inject runs the cell's flow with the fault; the first result is
	// the flow's, the others those of runs started alongside it.
	inject func(fr *faultRun) []runResult
	// hostFault names the host the fault hits: the output must name it
	// when the run fails.
	hostFault string
	mustFail  bool // the run cannot succeed: its exit must be non-zero
	exitCode  int  // when not 0, the exit status the run must have
	noOutput  bool // the run cannot say anything (kill -9): invariants 5 and 6 do not apply
	// deploys is how many deploys run alongside the flow and must
	// succeed with it, each making a release of its own.
	deploys int
	// deployOnly: the column is about deploys (release names) and has
	// no rollback row.
	deployOnly bool
	// tmpfsH3 gives h3 a small disk of its own; proxyH3 puts a proxy
	// that can drop every packet in front of h3.
	tmpfsH3, proxyH3 bool
	deadHost         bool // a host stops answering: small ssh timeouts
	// rotate, when not 0, puts the column in every third row only (its
	// turn 1, 2 or 3): the three signals take the same path through
	// luacap (spec/ends_test.go has each inside and after the commit), so
	// they share the rows and CI time goes to the other faults. A host
	// whose packets are dropped is found down as one whose sshd was
	// killed is, after the keepalives' silence (the costliest cell; the
	// killed sshd is in every row), and a second deploy that does not
	// wait for the lock is refused as at the lock step (the one that
	// waits is in every row), a full disk on h3 fails a command there as
	// fail-h3 does in every row, and a closed stdout changes only what is
	// printed: each of those takes a third of the rows.
	rotate int
}

var faultKinds = []faultKind{
	{name: "fail-h3", inject: injectFailure, hostFault: "h3", mustFail: true},
	{name: "SIGINT", inject: injectSignal(syscall.SIGINT), exitCode: 130, rotate: 1},
	{name: "SIGTERM", inject: injectSignal(syscall.SIGTERM), exitCode: 130, rotate: 2},
	{name: "SIGHUP", inject: injectSignal(syscall.SIGHUP), exitCode: 130, rotate: 3},
	{name: "stdout-closed", inject: injectClosedStdout, rotate: 3},
	{name: "kill-9", inject: injectSignal(syscall.SIGKILL), noOutput: true},
	{name: "sshd-killed-h3", inject: injectDeadHost, hostFault: "h3", mustFail: true, deadHost: true},
	{name: "packets-dropped-h3", inject: injectBlackhole, hostFault: "h3", mustFail: true, proxyH3: true, deadHost: true, rotate: 1},
	{name: "disk-full-h3", inject: injectFullDisk, hostFault: "h3", tmpfsH3: true, rotate: 2},
	{name: "concurrent", inject: injectConcurrent(false), rotate: 2},
	{name: "concurrent-lock-wait", inject: injectConcurrent(true), deploys: 1},
	{name: "same-second", inject: injectSameSecond, deploys: 1, deployOnly: true},
}

// faultRun is one cell while it runs.
type faultRun struct {
	t    *testing.T
	d    *deployEnv
	cell faultCell
	dir  string // where the hook touches at and reads go, a named pipe
	h3   *harness.Proxy
	gate *os.File // go opened for writing, once released
}

// gateLines is more lines than hooks that can wait on the pipe in a cell:
// each reads one.
const gateLines = 64

func newFaultRun(t *testing.T, c faultCell) *faultRun {
	fr := &faultRun{t: t, cell: c, dir: t.TempDir()}
	if err := syscall.Mkfifo(fr.dir+"/go", 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // no hook waits forever, nor a run killed in one
		fr.release()
		fr.gate.Close()
	})
	return fr
}

func (fr *faultRun) args(extra ...string) []string {
	return append([]string{fr.cell.flow, "-s", "fault_step=" + fr.cell.step}, extra...)
}

// atStep starts the flow and waits until it stands after the cell's
// step; false when it ended before getting there.
func (fr *faultRun) atStep(split bool, extra ...string) (*flowRun, bool) {
	f := startFlow(fr.t, fr.d, split, fr.args(extra...)...)
	if !f.waitFile(fr.dir + "/at") {
		return f, false
	}
	return f, true
}

// release lets the paused flow go on, and every hook that reaches its
// step later. Opened read-write, the pipe never blocks the test, and its
// lines wait in it for readers until the cell ends.
func (fr *faultRun) release() {
	if fr.gate != nil {
		return
	}
	gate, err := os.OpenFile(fr.dir+"/go", os.O_RDWR, 0)
	if err != nil {
		fr.t.Fatal(err)
	}
	fr.gate = gate
	if _, err := gate.WriteString(strings.Repeat("go\n", gateLines)); err != nil {
		fr.t.Fatal(err)
	}
}

// notReached reports a flow that ended before the cell's step.
func (fr *faultRun) notReached(f *flowRun) []runResult {
	fr.release()
	res := f.wait()
	fr.t.Errorf("the run ended before reaching %s: exit %d\n%s", fr.cell.step, res.code, res.output)
	return []runResult{res}
}

func injectFailure(fr *faultRun) []runResult {
	return []runResult{runFlow(fr.t, fr.d, fr.args("-s", "fault_kind=fail")...)}
}

func injectSignal(sig syscall.Signal) func(fr *faultRun) []runResult {
	return func(fr *faultRun) []runResult {
		f, ok := fr.atStep(false)
		if !ok {
			return fr.notReached(f)
		}
		f.signal(sig)
		// The run must have taken the signal while it stands at the
		// step: released at once, a loaded machine may let it finish
		// before the signal is seen, which is a run that was not
		// interrupted and no cell of the matrix.
		if sig != syscall.SIGKILL && !f.waitOutput("warning: interrupted") {
			fr.t.Errorf("the run did not say it was interrupted within a minute of %s", sig)
		}
		fr.release()
		return []runResult{f.wait()}
	}
}

func injectClosedStdout(fr *faultRun) []runResult {
	f, ok := fr.atStep(true)
	if !ok {
		return fr.notReached(f)
	}
	f.closeStdout()
	fr.release()
	return []runResult{f.wait()}
}

func injectDeadHost(fr *faultRun) []runResult {
	f, ok := fr.atStep(false)
	if !ok {
		return fr.notReached(f)
	}
	h3 := fr.d.c.Host("h3")
	killHost(fr.t, h3)
	fr.release()
	res := f.wait()
	reviveHost(fr.t, h3) // for the invariants' recovery path
	return []runResult{res}
}

func injectBlackhole(fr *faultRun) []runResult {
	f, ok := fr.atStep(false)
	if !ok {
		return fr.notReached(f)
	}
	fr.h3.Blackhole(true)
	fr.release()
	res := f.wait()
	fr.h3.Blackhole(false) // the route is back for the recovery
	return []runResult{res}
}

func injectFullDisk(fr *faultRun) []runResult {
	f, ok := fr.atStep(false)
	if !ok {
		return fr.notReached(f)
	}
	h3 := fr.d.c.Host("h3")
	fillDisk(fr.t, h3)
	fr.release()
	res := f.wait()
	freeDisk(fr.t, h3) // an operator makes room before recovering
	return []runResult{res}
}

// injectConcurrent starts a second deploy, in a later second, while the
// flow stands after its step holding the lock. Without waiting, it must
// fail at once naming the lock; with --lock-wait it must wait its turn.
func injectConcurrent(lockWait bool) func(fr *faultRun) []runResult {
	return func(fr *faultRun) []runResult {
		f, ok := fr.atStep(false)
		if !ok {
			return fr.notReached(f)
		}
		nextSecond(time.Now())
		if !lockWait {
			second := runFlow(fr.t, fr.d, "deploy")
			if second.code == 0 || !strings.Contains(second.output, "deploy locked by") {
				fr.t.Errorf("a deploy while %s held the lock: exit %d, want a failure naming the lock\n%s", fr.cell.flow, second.code, second.output)
			}
			fr.release()
			return []runResult{f.wait(), second}
		}
		probe := fr.dir + "/second-locking"
		second := startFlow(fr.t, fr.d, false, "deploy", "--lock-wait", "30", "-s", "lock_probe="+probe)
		second.waitFile(probe)
		fr.release()
		return []runResult{f.wait(), second.wait()}
	}
}

// injectSameSecond starts the flow and a deploy in the same second, both
// with --lock-wait and with the default release name; the flow stops
// after its step once it has the lock.
func injectSameSecond(fr *faultRun) []runResult {
	nextSecond(time.Now())
	f := startFlow(fr.t, fr.d, false, fr.args("--lock-wait", "30")...)
	second := startFlow(fr.t, fr.d, false, "deploy", "--lock-wait", "30")
	if !f.waitFile(fr.dir + "/at") {
		res := fr.notReached(f)
		return append(res, second.wait())
	}
	fr.release()
	return []runResult{f.wait(), second.wait()}
}
