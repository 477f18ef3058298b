package engine

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/luacap/luacap/runtime/backend"
	"github.com/luacap/luacap/runtime/output"
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
