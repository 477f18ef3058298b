package engine

import (
	"context"
	"strings"
	"sync"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/backend"
	"github.com/luacap/luacap/runtime/luaval"
	"github.com/luacap/luacap/runtime/output"
	"github.com/luacap/luacap/runtime/sched"
)

// localJob is a command run_locally started in the background: the run
// goes on while it runs, and wait() takes its result. Work the deploy
// needs later (packing the release, building the assets) starts as the
// run starts, off the critical path while the servers are dialled and
// locked. Its output and end are printed when it is waited for, so the
// output reads in the order of the tasks, as a pipelined command's does.
type localJob struct {
	done    chan struct{}
	cancel  context.CancelFunc
	cmd     string
	task    string // the task that started it
	res     backend.Result
	err     error
	printed sync.Once
}

// result prints, the first time, what the job wrote and how it ended,
// and returns its stdout as run_locally does, or its failure.
func (j *localJob) result(out *output.Output, name string) (string, error) {
	if j.err != nil {
		return "", &backend.HostError{Host: name, Op: "running " + j.cmd, Err: j.err}
	}
	j.printed.Do(func() {
		for _, stream := range []struct {
			text   string
			stderr bool
		}{{j.res.Stdout, false}, {j.res.Stderr, true}} {
			for _, line := range strings.Split(strings.TrimSuffix(stream.text, "\n"), "\n") {
				if line != "" {
					out.Line(name, stream.stderr, line)
				}
			}
		}
		out.QueuedEnd(name, j.task, j.res.Duration, j.res.Exit, j.cmd)
	})
	if j.res.Exit != 0 {
		return "", &backend.CommandError{Host: name, Cmd: j.cmd, Exit: j.res.Exit, Stdout: j.res.Stdout,
			Stderr: j.res.Stderr, Cut: j.res.StderrCut, SentBy: j.task}
	}
	return j.res.Captured(name, j.cmd)
}

// localJobs are the background commands of a run. The goroutines touch
// only their own job; the Lua side reads a job after its done closes.
type localJobs struct {
	mu   sync.Mutex
	jobs []*localJob
}

func (j *localJobs) add(job *localJob) int {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.jobs = append(j.jobs, job)
	return len(j.jobs)
}

func (j *localJobs) get(id int) *localJob {
	j.mu.Lock()
	defer j.mu.Unlock()
	if id < 1 || id > len(j.jobs) {
		return nil
	}
	return j.jobs[id-1]
}

// stop stops the commands still running as the run ends (nobody waits
// for them any more) and waits until they have: no process of a run
// outlives it, and none prints after its summary.
func (j *localJobs) stop() {
	j.mu.Lock()
	jobs := j.jobs
	j.jobs = nil
	j.mu.Unlock()
	for _, job := range jobs {
		job.cancel()
	}
	for _, job := range jobs {
		<-job.done
	}
}

// startLocal starts line on this machine in the background, in a process
// group of its own (stopped with it), and returns the job's number for
// raw.wait_local. A dry run prints the command in order, and the job's
// result is the stand-in.
func (e *Engine) startLocal(L *lua.LState, line, standIn string) int {
	ctx, cancel := context.WithCancel(e.ctx)
	job := &localJob{done: make(chan struct{}), cancel: cancel, cmd: line, task: e.running.name()}
	id := e.jobs.add(job)
	if e.opts.DryRun {
		print := e.captureOn(e.localHost, line, standIn)
		return e.sched.Await(L, func(ctx context.Context) (sched.Deliver, error) {
			defer close(job.done)
			_, err := print(ctx)
			job.res.Stdout, job.err = standIn, err
			job.printed.Do(func() {})
			return deliver(lua.LNumber(id)), err
		})
	}
	e.out.CommandStart(e.localHost.Name, line)
	go func() {
		defer close(job.done)
		job.res, job.err = backend.Local{}.Run(ctx, line, backend.RunOptions{})
	}()
	return luaval.Push(L, lua.LTrue, lua.LNumber(id))
}

// raw.wait_local(id) -> ok, stdout | false, message: waits for a
// background command and returns what run_locally would have. Waiting
// again returns the same.
func (e *Engine) rawWaitLocal(L *lua.LState) int {
	job := e.jobs.get(L.CheckInt(1))
	if job == nil {
		return luaval.Fail(L, "wait(): no such background command (it belongs to a run that has ended)")
	}
	return e.sched.Await(L, func(ctx context.Context) (sched.Deliver, error) {
		select {
		case <-job.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		out, err := job.result(e.out, e.localHost.Name)
		return deliver(lua.LString(out)), err
	})
}
