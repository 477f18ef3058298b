package backend

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// Local runs commands on the machine running luacap: run_locally, and
// servers declared with transport="local".
type Local struct{}

// killGrace is how long a cancelled command's process group has between
// SIGTERM and SIGKILL.
const killGrace = 3 * time.Second

// Run runs cmd with sh -c in its own process group, so that cancelling
// stops the whole pipeline, not only the shell.
func (Local) Run(ctx context.Context, cmd string, opts RunOptions) (Result, error) {
	kept := NewKept()
	c := exec.CommandContext(ctx, "sh", "-c", cmd)
	c.Stdout = Tee(kept.Stdout, opts.Stdout)
	c.Stderr = Tee(kept.Stderr, opts.Stderr)
	c.Stdin = opts.Stdin
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var termAt time.Time
	c.Cancel = func() error {
		termAt = time.Now()
		return syscall.Kill(-c.Process.Pid, syscall.SIGTERM)
	}
	c.WaitDelay = killGrace
	start := time.Now()
	err := c.Run()
	if !termAt.IsZero() { // Run returned after Cancel: Wait saw what it did
		killLeft(c.Process.Pid, termAt.Add(killGrace))
	}
	res := kept.Result(Result{Duration: time.Since(start)})
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return res, ctx.Err()
	case errors.As(err, &exit):
		res.Exit = exit.ExitCode()
		if res.Exit < 0 {
			res.Exit = 128 + int(exit.Sys().(syscall.WaitStatus).Signal())
		}
		return res, nil
	}
	return res, err
}

// killLeft waits until the processes left in group pgid, sent SIGTERM,
// have ended, and kills them at deadline. The shell may end at once while
// a child that ignores SIGTERM goes on (and WaitDelay kills only the
// shell): no process of a stopped command outlives it.
func killLeft(pgid int, deadline time.Time) {
	for syscall.Kill(-pgid, 0) == nil {
		if time.Now().After(deadline) {
			syscall.Kill(-pgid, syscall.SIGKILL)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Upload writes src to path with mode, through a temporary file renamed
// into place so that a reader never sees half a file.
func (Local) Upload(ctx context.Context, src io.Reader, path string, mode fs.FileMode) error {
	tmp := path + ".luacap-upload"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, mode.Perm())
	if err != nil {
		return err
	}
	_, err = io.Copy(f, ContextReader(ctx, src))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, mode.Perm()) // the umask trimmed OpenFile's mode
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// Download copies path to dst.
func (Local) Download(ctx context.Context, path string, dst io.Writer) (fs.FileMode, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(dst, ContextReader(ctx, f))
	return info.Mode().Perm(), err
}

// Close does nothing: there is no connection.
func (Local) Close() error { return nil }

// ContextReader returns r that fails once ctx is cancelled, so a long
// transfer stops on Ctrl-C.
func ContextReader(ctx context.Context, r io.Reader) io.Reader { return ctxReader{ctx, r} }

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
