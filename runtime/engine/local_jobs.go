package engine

import (
	"context"
	"errors"
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
	host    string // whose output it is: "local", or the host an rsync sends to
	shown   bool   // its command was printed as it started
	note    string // how it reached its host, printed with -v
	explain func(error) error
	res     backend.Result
	err     error
	printed sync.Once
}

// result prints, the first time, what the job wrote and how it ended,
// and returns its stdout as run_locally does, or its failure.
func (j *localJob) result(out *output.Output) (string, error) {
	s, err := j.outcome(out)
	if err != nil && j.explain != nil {
		err = j.explain(err)
	}
	return s, err
}

func (j *localJob) outcome(out *output.Output) (string, error) {
	name := j.host
	if j.err != nil {
		var he *backend.HostError
		if errors.As(j.err, &he) {
			return "", j.err
		}
		return "", &backend.HostError{Host: name, Op: "running " + j.cmd, Err: j.err}
	}
	j.printed.Do(func() {
		if j.note != "" {
			out.Note(output.Verbose, name, j.note)
		}
		if !j.shown {
			out.CommandStart(name, j.cmd)
		}
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

// ended waits for j, when there is one, and says why what follows it
// must not start: it failed, or the run was stopped first.
func (j *localJob) ended(ctx context.Context) error {
	if j == nil {
		return nil
	}
	select {
	case <-j.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	if j.err != nil || j.res.Exit != 0 {
		return errorf("not started: %s, which it follows, failed", firstLine(j.cmd))
	}
	return nil
}

// stopped says so when the job's context ended it: a stop(), the undo of
// the transaction that started it, an interrupt or the run's end.
func stopped(ctx context.Context, err error) error {
	if err != nil && ctx.Err() != nil {
		return errorf("stopped before it ended (stop(), a failed transaction, an interrupt, or the run's end)")
	}
	return err
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

// count is how many jobs the run has started so far.
func (j *localJobs) count() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.jobs)
}

// stopFrom stops the jobs started since count was from, and waits until
// they have: what a transaction started stops before its undo runs, so
// nothing writes where the undo removes.
func (j *localJobs) stopFrom(from int) {
	j.mu.Lock()
	var jobs []*localJob
	if from < len(j.jobs) {
		jobs = append(jobs, j.jobs[from:]...)
	}
	j.mu.Unlock()
	for _, job := range jobs {
		job.cancel()
	}
	for _, job := range jobs {
		<-job.done
	}
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
	job := &localJob{done: make(chan struct{}), cancel: cancel, cmd: line, task: e.running.name(), host: e.localHost.Name, shown: true}
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
		job.err = stopped(ctx, job.err)
	}()
	return luaval.Push(L, lua.LTrue, lua.LNumber(id))
}

// raw.stop_local(id) -> ok: stops a background command (its process
// group) that is no longer wanted, and waits until it has stopped. One
// that already ended is left as it was.
func (e *Engine) rawStopLocal(L *lua.LState) int {
	job := e.jobs.get(L.CheckInt(1))
	if job == nil {
		return luaval.Fail(L, "stop(): no such background command (it belongs to a run that has ended)")
	}
	job.cancel()
	return e.sched.Await(L, func(ctx context.Context) (sched.Deliver, error) {
		select {
		case <-job.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return deliver(), nil
	})
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
		out, err := job.result(e.out)
		return deliver(lua.LString(out)), err
	})
}
