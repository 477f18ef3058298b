package backend

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/output"
)

func localSession(t *testing.T) (*Session, *strings.Builder) {
	t.Helper()
	var b strings.Builder
	out := output.New(&b, output.Options{Level: output.Normal, Now: time.Now})
	h, err := host.Parse("local1")
	if err != nil {
		t.Fatal(err)
	}
	return &Session{Host: h, Backend: Local{}, Out: out}, &b
}

func TestSessionRunResults(t *testing.T) {
	ctx := context.Background()
	s, transcript := localSession(t)
	ok, err := s.Test(ctx, "exit 3")
	if ok || err != nil {
		t.Errorf("Test(exit 3) = %v, %v; want false, nil", ok, err)
	}
	_, err = s.Run(ctx, "echo out; echo bad >&2; exit 4", false)
	var ce *CommandError
	if !errors.As(err, &ce) {
		t.Fatalf("Run error = %v, want a CommandError", err)
	}
	want := "local1: command failed with exit status 4: echo out; echo bad >&2; exit 4\nstderr:\n    bad\nstdout:\n    out"
	if err.Error() != want {
		t.Errorf("error =\n%s\nwant\n%s", err, want)
	}
	if !strings.Contains(transcript.String(), "  local1 ! bad\n") {
		t.Errorf("stderr line not printed with its host:\n%s", transcript)
	}
}

// printed closes seen when the transcript shows the line want: the
// command's output, so the command runs.
type printed struct {
	want string
	once sync.Once
	seen chan struct{}
}

func (w *printed) Write(p []byte) (int, error) {
	if strings.Contains(string(p), w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return len(p), nil
}

// Cancelled while it runs, the command's whole pipeline is killed: the
// call returns without waiting for sleep.
func TestLocalCancelStopsThePipeline(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s, _ := localSession(t)
	out := &printed{want: "local1 | 42\n", seen: make(chan struct{})} // not in the command line itself
	s.Out = output.New(out, output.Options{Level: output.Normal, Now: time.Now})
	go func() {
		<-out.seen
		cancel()
	}()
	start := time.Now()
	_, err := s.Run(ctx, "echo $((40 + 2)); sleep 30 | cat", false)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("cancel took %v: the pipeline was not killed", d)
	}
}

// Cancelled, a command whose child ignores SIGTERM (and outlives its
// shell) has that child killed too, within the grace: Run does not return
// with a process of the command still running for long.
func TestLocalCancelKillsAChildIgnoringTerm(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for {
			if b, _ := os.ReadFile(pidFile); len(b) > 0 && b[len(b)-1] == '\n' {
				cancel()
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	_, err := Local{}.Run(ctx, "sh -c 'trap \"\" TERM; sleep 30 & echo $! > "+pidFile+"; wait' & wait", RunOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	b, _ := os.ReadFile(pidFile)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	deadline := time.Now().Add(2 * time.Second)
	for syscall.Kill(pid, 0) == nil && !zombie(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("the child %d ignoring SIGTERM outlived the cancelled command", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// zombie says whether pid has ended and waits to be reaped.
func zombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	f := strings.Fields(string(b))
	return len(f) > 2 && f[2] == "Z"
}

func TestLocalTransfersKeepMode(t *testing.T) {
	ctx := context.Background()
	s, _ := localSession(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "script.sh")
	if err := os.WriteFile(src, []byte("#!/bin/sh\necho hi\n"), 0o750); err != nil {
		t.Fatal(err)
	}
	dst, back := filepath.Join(dir, "uploaded.sh"), filepath.Join(dir, "back.sh")
	if err := s.Upload(ctx, src, dst); err != nil {
		t.Fatal(err)
	}
	if err := s.Download(ctx, dst, back); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{dst, back} {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o750 {
			t.Errorf("%s mode = %v, want 0750", p, info.Mode().Perm())
		}
	}
	err := s.Upload(ctx, filepath.Join(dir, "missing"), dst)
	if err == nil || !strings.HasPrefix(err.Error(), "local1: uploading ") {
		t.Errorf("missing source error = %v, want one naming the host", err)
	}
}

func TestPrinterRunsNothing(t *testing.T) {
	ctx := context.Background()
	s, transcript := localSession(t)
	s.Backend = Printer{}
	marker := filepath.Join(t.TempDir(), "touched")
	if ok, err := s.Test(ctx, "touch "+marker); !ok || err != nil {
		t.Errorf("dry-run Test = %v, %v; want true", ok, err)
	}
	if res, err := s.Run(ctx, "hostname", false); res.Stdout != "" || err != nil {
		t.Errorf("dry-run Run = %q, %v; want no output", res.Stdout, err)
	}
	if _, err := os.Stat(marker); !os.IsNotExist(err) {
		t.Error("the printer ran the command")
	}
	want := "  local1 $ touch " + marker + "\n  local1 $ hostname\n"
	if transcript.String() != want {
		t.Errorf("dry-run transcript =\n%q\nwant\n%q", transcript.String(), want)
	}
}
