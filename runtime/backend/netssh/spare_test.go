package netssh

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/luacap/luacap/runtime/backend"
)

// readySpare waits until c has a spare channel open and ready.
func readySpare(t *testing.T, c *Conn) *spare {
	t.Helper()
	sp := waitSlot(t, c, &c.spare)
	if !sp.ready {
		t.Fatal("the spare channel was not started ready")
	}
	return sp
}

// waitSlot waits until c has a channel open in slot (c.spare, c.piped).
func waitSlot(t *testing.T, c *Conn, slot **spare) *spare {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		sp := *slot
		c.mu.Unlock()
		if sp != nil {
			return sp
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("no channel was opened ahead")
	return nil
}

// reopenSpare opens the spare channel again, once it was taken.
func reopenSpare(t *testing.T, c *Conn) {
	t.Helper()
	client, err := c.live(context.Background())
	must(t, err)
	<-c.openSpare(client, &c.spare)
}

// A ready spare runs the command it reads as sshd would have run it,
// whatever the command holds, and the command gets exactly the stdin
// that follows it, nothing of it read ahead.
func TestReadySpareRunsTheCommandItReads(t *testing.T) {
	binary := "\x00\x01\xff\r\n\x1e" + strings.Repeat("z", 70<<10) + "\nend"
	tests := []struct {
		name, cmd, stdin, stdout string
		exit                     int
	}{
		{"one line", "echo hi", "", "hi\n", 0},
		{"several lines", "echo a\necho b", "", "a\nb\n", 0},
		{"blank lines and trailing blanks", "echo a   \n\n\t\necho 'b  '  ", "", "a\nb  \n", 0},
		{"a newline inside quotes", "printf '%s' 'x\ny\n'", "", "x\ny\n", 0},
		{"backslashes and quotes", `printf '%s|' 'a\\b' "c\"d" 'e'\''f' a\ b; echo`, "", `a\\b|c"d|e'f|a b|` + "\n", 0},
		{"a backslash at a line's end", "echo a \\\nb", "", "a b\n", 0},
		{"a line that is a number", "echo first\n2\necho after", "", "first\nafter\n", 0},
		{"ends with a newline", "echo a\n", "", "a\n", 0},
		{"stdin after the command", "cat", binary, binary, 0},
		{"stdin that looks like a command", "cat", "2\necho no\necho no\n", "2\necho no\necho no\n", 0},
		{"a command that reads a line, then the rest", `read -r x; echo "got $x"; cat`, "l1\nl2\n", "got l1\nl2\n", 0},
		{"no stdin", "cat; echo done", "", "done\n", 0},
		{"its exit status", "echo out; exit 7", "", "out\n", 7},
		{"the reader's variables are gone", `echo "${__luacap_c-unset} ${__luacap_n-unset} ${__luacap_l-unset}"`, "", "unset unset unset\n", 0},
	}
	_, s := startServer(t)
	c := dial(t, s)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sp := readySpare(t, c)
			res, err := c.Run(context.Background(), tt.cmd, backend.RunOptions{Stdin: strings.NewReader(tt.stdin)})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if res.Exit != tt.exit || res.Stdout != tt.stdout {
				t.Errorf("exit %d, stdout %s; want exit %d, stdout %s (stderr %q)", res.Exit, clip(res.Stdout), tt.exit, clip(tt.stdout), res.Stderr)
			}
			c.mu.Lock()
			taken := c.spare != sp
			c.mu.Unlock()
			if !taken {
				t.Error("the command did not run on the spare channel")
			}
			reopenSpare(t, c) // the next case's
		})
	}
}

// A command with a NUL byte is not given to a ready spare, which reads
// it by lines: it gets a session of its own.
func TestReadySpareIsNotGivenANulByte(t *testing.T) {
	_, s := startServer(t)
	c := dial(t, s)
	sp := readySpare(t, c)
	if got := c.takeSpare(context.Background(), "echo a\x00b", &c.spare); got != nil {
		t.Fatal("a command with a NUL byte took the ready spare")
	}
	c.mu.Lock()
	kept := c.spare == sp
	c.mu.Unlock()
	if !kept {
		t.Error("refusing the command gave the spare away")
	}
}

// A command asking for a terminal goes in the exec request, whose command
// Linux bounds at 128 KiB once escaped for the login shell: a longer one
// is refused before anything is sent, saying what to do instead.
func TestATerminalCommandTooLongToSendSaysWhy(t *testing.T) {
	_, s := startServer(t)
	c := dial(t, s)
	_, err := c.Run(context.Background(), ": '"+strings.Repeat("\n", 40<<10)+"'", backend.RunOptions{PTY: true})
	if err == nil || !strings.Contains(err.Error(), "upload it as a script") {
		t.Errorf("err = %v, want the limit and what to do", err)
	}
}

// A cancelled command with stdin is stopped on the host, on the ready
// spare and in a session of its own, though the server ignores the
// "signal" request (as sshd does for a root login) and the command
// ignores the end of its input.
func TestCancelKillsACommandWithStdinOnTheHost(t *testing.T) {
	_, s := startServer(t)
	c := dial(t, s)
	readySpare(t, c)
	for _, where := range []string{"on the ready spare", "in a session of its own"} {
		t.Run(where, func(t *testing.T) {
			cancelKills(t, c, `trap "" HUP PIPE; exec sleep 61 <&-`, backend.RunOptions{Stdin: strings.NewReader("input")})
		})
	}
}
