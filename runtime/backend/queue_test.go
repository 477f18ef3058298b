package backend

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/output"
)

// fakeShell queues commands as the ssh shell does: a guarded command
// after a guarded failure is skipped until a command is sent with nothing
// queued after the failure was read. exits gives a command's status.
type fakeShell struct {
	exits   map[string]int
	queue   []fakeCmd
	failed  bool
	reset   bool
	ran     []string
	uploads []string
}

type fakeCmd struct {
	cmd    string
	always bool
}

func (f *fakeShell) Send(_ context.Context, cmd string, always bool) (bool, error) {
	if f.reset && len(f.queue) == 0 {
		f.failed, f.reset = false, false
	}
	f.queue = append(f.queue, fakeCmd{cmd, always})
	return true, nil
}

func (f *fakeShell) Receive(_ context.Context, stdout, _ io.Writer) (Result, error) {
	c := f.queue[0]
	f.queue = f.queue[1:]
	if !c.always && f.failed {
		return Result{Skipped: true}, nil
	}
	f.ran = append(f.ran, c.cmd)
	if stdout != nil {
		io.WriteString(stdout, "did "+c.cmd+"\n")
	}
	exit := f.exits[c.cmd]
	if exit != 0 {
		f.failed = f.failed || !c.always
		f.reset = true
	}
	return Result{Exit: exit}, nil
}

func (f *fakeShell) Run(ctx context.Context, cmd string, opts RunOptions) (Result, error) {
	f.Send(ctx, cmd, false)
	return f.Receive(ctx, opts.Stdout, opts.Stderr)
}

func (f *fakeShell) Upload(_ context.Context, _ io.Reader, path string, _ fs.FileMode) error {
	f.uploads = append(f.uploads, path)
	f.ran = append(f.ran, "upload "+path)
	return nil
}

func (f *fakeShell) Download(context.Context, string, io.Writer) (fs.FileMode, error) { return 0, nil }
func (f *fakeShell) Close() error                                                     { return nil }

func queueSession(t *testing.T, exits map[string]int) (*Session, *fakeShell, *strings.Builder) {
	t.Helper()
	var b strings.Builder
	h, err := host.Parse("web1")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeShell{exits: exits}
	return &Session{Host: h, Backend: f, Out: output.New(&b, output.Options{Level: output.Normal, Now: time.Now})}, f, &b
}

func TestQueuedFailureStopsTheHostAndIsReportedOnce(t *testing.T) {
	ctx := context.Background()
	s, f, transcript := queueSession(t, map[string]int{"b": 3})
	for _, cmd := range []string{"a", "b", "c"} {
		if err := s.Send(ctx, cmd, "deploy:finalize"); err != nil {
			t.Fatalf("Send(%s) = %v", cmd, err)
		}
	}
	if len(f.ran) != 0 {
		t.Fatalf("Send waited for commands: ran %v", f.ran)
	}
	_, err := s.Run(ctx, "d", false)
	var ce *CommandError
	if !errors.As(err, &ce) || ce.Cmd != "b" || ce.Exit != 3 || ce.SentBy != "deploy:finalize" {
		t.Fatalf("Run after a queued failure = %v; want b's failure, sent by deploy:finalize", err)
	}
	if got := strings.Join(f.ran, " "); got != "a b" {
		t.Errorf("ran %q; want \"a b\": nothing after the failure", got)
	}
	for _, want := range []string{"web1 | did a\n", "web1 FAILED exit 3", "web1 skipped: a command before it failed: c\n", "web1 skipped: a command before it failed\n"} {
		if !strings.Contains(transcript.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, transcript)
		}
	}
	if _, err := s.Run(ctx, "e", false); err != nil {
		t.Errorf("the failure was reported twice, or the host stayed stopped: %v", err)
	}
	if err := s.Sync(ctx); err != nil {
		t.Errorf("Sync after the failure was reported = %v", err)
	}
}

func TestCleanupRunsAfterAQueuedFailureAndLeavesItForSync(t *testing.T) {
	ctx := context.Background()
	s, f, _ := queueSession(t, map[string]int{"b": 1})
	s.Send(ctx, "b", "deploy:restart")
	s.Send(ctx, "c", "deploy:restart")
	if _, err := s.Run(Cleanup(ctx), "unlock", false); err != nil {
		t.Fatalf("cleanup command = %v; want it to run", err)
	}
	if got := strings.Join(f.ran, " "); got != "b unlock" {
		t.Errorf("ran %q; want \"b unlock\"", got)
	}
	var ce *CommandError
	if err := s.Sync(ctx); !errors.As(err, &ce) || ce.Cmd != "b" {
		t.Errorf("Sync = %v; want b's failure kept for it", err)
	}
	if err := s.Sync(ctx); err != nil {
		t.Errorf("second Sync = %v; want nil", err)
	}
}

func TestTransfersWaitForQueuedCommands(t *testing.T) {
	ctx := context.Background()
	s, f, _ := queueSession(t, nil)
	s.Send(ctx, "mkdir -p /srv/app", "deploy:setup")
	if err := s.Put(ctx, []byte("x"), "/srv/app/x", 0o644); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f.ran, " | "); got != "mkdir -p /srv/app | upload /srv/app/x" {
		t.Errorf("order %q; want the queued mkdir before the upload", got)
	}
}
