package backend

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// Whatever the sizes of the writes, a Tail holds exactly the last limit
// bytes of the stream, and counts the rest as cut.
func TestTailKeepsTheEndOfAnyStream(t *testing.T) {
	var stream bytes.Buffer
	for i := 0; stream.Len() < 5000; i++ {
		fmt.Fprintf(&stream, "line %d\n", i)
	}
	all := stream.Bytes()
	for _, limit := range []int{1, 7, 64, 4096, 10000} {
		for _, chunk := range []int{1, 3, 64, 100, 5000, 9000} {
			tail := NewTail(limit)
			for p := all; len(p) > 0; {
				k := min(chunk, len(p))
				tail.Write(p[:k])
				p = p[k:]
			}
			keep := min(limit, len(all))
			if got, want := tail.String(), string(all[len(all)-keep:]); got != want {
				t.Errorf("limit %d, writes of %d: kept %q..., want %q...", limit, chunk, head(got), head(want))
			}
			if got, want := tail.Cut(), int64(len(all)-keep); got != want {
				t.Errorf("limit %d, writes of %d: cut %d, want %d", limit, chunk, got, want)
			}
		}
	}
}

func head(s string) string { return s[:min(len(s), 20)] }

// A failed command's error quotes a bounded stderr and says how much of it
// was cut; a short stderr is quoted whole with no note.
func TestCommandErrorSaysHowMuchStderrWasCut(t *testing.T) {
	tail := NewTail(StderrLimit)
	big := strings.Repeat("x", 100) + "\n"
	for i := 0; i < 10000; i++ {
		tail.Write([]byte(big))
	}
	long := (&CommandError{Host: "web1", Cmd: "make", Exit: 2, Stderr: tail.String(), Cut: tail.Cut()}).Error()
	if len(long) > StderrLimit+1024 {
		t.Errorf("the error is %d bytes for 1 MB of stderr", len(long))
	}
	if !strings.Contains(long, fmt.Sprintf("%d bytes before them cut", 10000*len(big)-StderrLimit)) {
		t.Errorf("the error does not say how much was cut:\n%s", long[:200])
	}
	short := (&CommandError{Host: "web1", Cmd: "make", Exit: 2, Stderr: "no rule\n"}).Error()
	if want := "web1: command failed with exit status 2: make\nstderr:\n    no rule"; short != want {
		t.Errorf("got %q, want %q", short, want)
	}
}

// capture() refuses an output longer than a result keeps, rather than
// returning its end as if it were all.
func TestCapturedRefusesACutStdout(t *testing.T) {
	if out, err := (Result{Stdout: " ok \n"}).Captured("web1", "echo ok"); err != nil || out != "ok" {
		t.Errorf("got %q, %v; want ok", out, err)
	}
	_, err := (Result{Stdout: "end", StdoutCut: 10}).Captured("web1", "cat big")
	if err == nil || !strings.Contains(err.Error(), "web1") || !strings.Contains(err.Error(), "write it to a file") {
		t.Errorf("got %v; want an error naming the host and what to do", err)
	}
}
