package netssh

import (
	"strings"
	"testing"
)

// big is a command too long to go with the others in the exec request
// that starts the shell: it starts the shell and goes to its stdin.
var big = ": " + strings.Repeat("x", maxFirst) + "; echo big"

// op is one step of a pipelining scenario: send a command, or read the
// end of the oldest one sent.
type op struct {
	send    string // a guarded command to send
	always  string // a command to send that runs after a failure too
	receive bool
	exit    int
	stdout  string
	skipped bool
}

func send(cmd string) op              { return op{send: cmd} }
func always(cmd string) op            { return op{always: cmd} }
func ends(exit int, stdout string) op { return op{receive: true, exit: exit, stdout: stdout} }
func skip() op                        { return op{receive: true, skipped: true} }

// Commands sent without waiting run in order and end in order. A failed
// guarded command skips the guarded commands sent before luacap read its
// failure; the first one sent after, with nothing else queued, runs.
// Commands sent as always (cleanup) run regardless.
func TestShellPipelinedCommands(t *testing.T) {
	tests := []struct {
		name string
		ops  []op
	}{
		{"queued commands end in order", []op{
			send("echo a"), send("echo b"), send("echo c"),
			ends(0, "a\n"), ends(0, "b\n"), ends(0, "c\n")}},
		{"a failure skips the guarded commands behind it", []op{
			send("echo a"), send("echo b; exit 3"), send("echo c"), send("echo d >&2"),
			ends(0, "a\n"), ends(3, "b\n"), skip(), skip()}},
		{"a command sent as always runs after a failure", []op{
			send("exit 1"), always("echo cleanup"), send("echo c"),
			ends(1, ""), ends(0, "cleanup\n"), skip()}},
		{"the failure of an always command skips nothing", []op{
			always("exit 2"), send("echo b"),
			ends(2, ""), ends(0, "b\n")}},
		{"a command sent after the failure was read runs", []op{
			send("exit 1"), ends(1, ""), send("echo b"), ends(0, "b\n")}},
		{"a command sent before the queue behind a failure was read is skipped", []op{
			send("exit 1"), send("echo b"), ends(1, ""), send("echo c"), skip(), skip(),
			send("echo d"), ends(0, "d\n")}},
		{"a command past the exec request's bound runs after the first ones, in order", []op{
			send("echo a"), send(big), send("echo c"),
			ends(0, "a\n"), ends(0, "big\n"), ends(0, "c\n")}},
		{"a failure among the first commands skips those that went to stdin", []op{
			send("exit 1"), send(big), send("echo c"), always("echo cleanup"),
			ends(1, ""), skip(), skip(), ends(0, "cleanup\n"), send("echo d"), ends(0, "d\n")}},
		{"a command with a NUL byte goes to stdin, after the first ones", []op{
			send("echo a"), send("echo b\x00c"), send("echo d"),
			ends(0, "a\n"), ends(0, "bc\n"), ends(0, "d\n")}},
		{"a failure read before the shell's stdin was written to is cleared", []op{
			send("exit 5"), ends(5, ""), send("echo b"), send(big), ends(0, "b\n"), ends(0, "big\n")}},
		{"a second failure after the reset skips again", []op{
			send("exit 1"), ends(1, ""), send("exit 4"), send("echo c"), ends(4, ""), skip(),
			send("echo d"), ends(0, "d\n")}},
	}
	for _, r := range readers {
		for _, tt := range tests {
			t.Run(r.name+"/"+tt.name, func(t *testing.T) {
				sh, _ := localShell(t, r.wrap)
				for i, o := range tt.ops {
					o.do(t, i, sh)
				}
				if got := receive(t, sh); got.err == nil {
					t.Errorf("receive with nothing queued = %+v, want an error", got)
				}
			})
		}
	}
}

func (o op) do(t *testing.T, i int, sh *shell) {
	t.Helper()
	if !o.receive {
		cmd := o.send + o.always
		if err := sh.send(cmd, o.always != ""); err != nil {
			t.Fatalf("step %d: send(%q) = %v", i, cmd, err)
		}
		return
	}
	got := receive(t, sh)
	// A skipped command prints nothing: it did not run.
	if got.err != nil || got.skipped != o.skipped || got.exit != o.exit || got.stdout != o.stdout || got.stderr != "" {
		t.Errorf("step %d: %+v; want exit %d, stdout %q, skipped %v, no stderr", i, got, o.exit, o.stdout, o.skipped)
	}
}
