package netssh

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"testing/iotest"
	"time"
)

// localShell speaks the shell protocol through newShell to a sh on this
// machine, started as sshd starts the exec request's command: with sh -c,
// its stdin a pipe that luacap writes to. wrap stands between sh's output
// and the protocol's readers. proc is the process once started.
func localShell(t *testing.T, wrap func(io.Reader) io.Reader) (sh *shell, proc func() *exec.Cmd) {
	t.Helper()
	inR, inW, err := os.Pipe()
	must(t, err)
	outR, outW, err := os.Pipe()
	must(t, err)
	errR, errW, err := os.Pipe()
	must(t, err)
	var cmd *exec.Cmd
	t.Cleanup(func() {
		inW.Close()
		if cmd != nil {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			cmd.Wait()
		}
		for _, f := range []*os.File{inR, outR, outW, errR, errW} {
			f.Close()
		}
	})
	start := func(line string) error {
		if cmd != nil {
			t.Fatal("the shell was started twice")
		}
		cmd = exec.Command("sh", "-c", line)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, errW
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // the cleanup kills what a command left running
		if err := cmd.Start(); err != nil {
			return err
		}
		outW.Close() // sh holds its own copies: its end is the readers' EOF
		errW.Close()
		return nil
	}
	return newShell(inW, wrap(outR), wrap(errR), start), func() *exec.Cmd { return cmd }
}

func asIs(r io.Reader) io.Reader { return r }

// readers are the ways the transport may hand over sh's output: as it
// comes, or a byte at a time (a slow channel splits every frame).
var readers = []struct {
	name string
	wrap func(io.Reader) io.Reader
}{{"whole reads", asIs}, {"one byte at a time", iotest.OneByteReader}}

// ended is how one command ended, as receive returned it.
type ended struct {
	stdout, stderr string
	exit           int
	skipped        bool
	err            error
}

// receive reads the end of sh's oldest command; a frame that never ends
// fails the test instead of hanging it.
func receive(t *testing.T, sh *shell) ended {
	t.Helper()
	done := make(chan ended, 1)
	go func() {
		var out, errs bytes.Buffer
		exit, skipped, err := sh.receive(&out, &errs)
		done <- ended{out.String(), errs.String(), exit, skipped, err}
	}()
	select {
	case e := <-done:
		return e
	case <-time.After(hangGuard):
		t.Fatal("receive never found the command's end marker")
		return ended{}
	}
}

// run sends one guarded command and reads its end.
func run(t *testing.T, sh *shell, cmd string) ended {
	t.Helper()
	if err := sh.send(cmd, false); err != nil {
		t.Fatalf("send(%q) = %v", cmd, err)
	}
	return receive(t, sh)
}

// Output is passed on byte for byte, whatever it holds, and the end
// marker is found only where the shell's printf put it. Every case runs
// in the same shell, after the ones before it, so output left over from
// one command would show in the next.
func TestShellFramesEachCommandsOutput(t *testing.T) {
	long := strings.Repeat("x", 3*8<<10+5) // three of the reader's buffers and a bit
	xs := "head -c " + strconv.Itoa(len(long)) + ` /dev/zero | tr '\0' x`
	piece := strings.Repeat("x", 8<<10) // the reader's buffer: the next byte starts a second piece
	// {end} is this command's end marker, {id} its number.
	tests := []struct{ name, cmd, stdout, stderr string }{
		{"empty output", "true", "", ""},
		{"a line", "echo hello", "hello\n", ""},
		{"no trailing newline", "printf hello", "hello", ""},
		{"only newlines", `printf '\n\n'`, "\n\n", ""},
		{"blank lines around a line", `printf '\n\na\n\n'`, "\n\na\n\n", ""},
		{"binary bytes", `printf '\000\001\036\377\r'`, "\x00\x01\x1e\xff\r", ""},
		{"a line longer than the buffer", xs, long, ""},
		{"long lines between short ones", "echo a; " + xs + "; echo; echo b", "a\n" + long + "\nb\n", ""},
		{"many lines", "seq 1 5000", seq(5000), ""},
		{"stdout and stderr apart", "echo out; echo err >&2; printf more >&2", "out\n", "err\nmore"},
		{"only stderr", "printf err >&2", "", "err"},
		{"both streams past a pipe's buffer", "seq 1 20000 >&2; seq 1 20000", seq(20000), seq(20000)},
		{"a command that reads stdin gets none", "cat; read x; echo after", "after\n", ""},
		{"the end marker inside a line", `printf 'x{end} 0\n'`, "x{end} 0\n", ""},
		{"the end marker with more digits", `printf '{end}0 0\n'`, "{end}0 0\n", ""},
		{"the end marker of the next command", `printf '{next} 0\n'`, "{next} 0\n", ""},
		{"the end marker of an earlier command", `printf '{prev} 0\n'`, "{prev} 0\n", ""},
		{"an end marker with another token", `printf '\036luacap-0123456789abcdef:{id} 0\n'`, "\x1eluacap-0123456789abcdef:{id} 0\n", ""},
		{"the end marker after a piece of a long line", "printf '" + piece + "{end} 0\\n'", piece + "{end} 0\n", ""},
		{"the end marker on stderr inside a line", `printf 'x{end}\n' >&2`, "", "x{end}\n"},
		{"the end marker on stderr with more digits", `printf '{end}0\n' >&2`, "", "{end}0\n"},
	}
	for _, r := range readers {
		for _, queued := range []bool{false, true} {
			name := r.name + "/one at a time"
			if queued {
				name = r.name + "/all sent first, in the exec request that starts the shell"
			}
			t.Run(name, func(t *testing.T) {
				sh, proc := localShell(t, r.wrap)
				type sent struct {
					name           string
					stdout, stderr string
				}
				var pending []sent
				check := func(s sent) {
					got := receive(t, sh)
					if got.err != nil || got.exit != 0 || got.skipped {
						t.Fatalf("%s: exit %d, skipped %v, err %v", s.name, got.exit, got.skipped, got.err)
					}
					if got.stdout != s.stdout {
						t.Errorf("%s: stdout %s, want %s", s.name, clip(got.stdout), clip(s.stdout))
					}
					if got.stderr != s.stderr {
						t.Errorf("%s: stderr %s, want %s", s.name, clip(got.stderr), clip(s.stderr))
					}
				}
				for _, tt := range tests {
					id := sh.next + 1
					fill := strings.NewReplacer("{end}", sh.marker+":"+strconv.Itoa(id), "{id}", strconv.Itoa(id),
						"{next}", sh.marker+":"+strconv.Itoa(id+1), "{prev}", sh.marker+":"+strconv.Itoa(id-1)).Replace
					if err := sh.send(fill(tt.cmd), false); err != nil {
						t.Fatalf("%s: send: %v", tt.name, err)
					}
					pending = append(pending, sent{tt.name, fill(tt.stdout), fill(tt.stderr)})
					if !queued {
						check(pending[0])
						pending = pending[1:]
					}
				}
				if queued && proc() != nil {
					t.Fatal("the shell started before an end was read: its first commands did not go in its exec request")
				}
				for _, s := range pending {
					check(s)
				}
				if pid := int(sh.group.pid.Load()); pid != proc().Process.Pid {
					t.Errorf("the greeting gave pid %d, want the shell's %d", pid, proc().Process.Pid)
				}
			})
		}
	}
}

// The status after the end marker is the command's exit status, however
// the command ended, and its output before it is kept. A failure read
// before the next command is sent does not skip it.
func TestShellReportsEachCommandsExitStatus(t *testing.T) {
	tests := []struct {
		name, cmd, stdout string
		exit              int
	}{
		{"success", "echo ok", "ok\n", 0},
		{"failure", "echo before; exit 1", "before\n", 1},
		{"a usage error", "echo before; exit 2", "before\n", 2},
		{"command not found", "no-such-command-luacap-test", "", 127},
		{"the highest status", "exit 255", "", 255},
		{"the last command of a pipeline", "true | false", "", 1},
		{"killed by SIGKILL", `echo before; sh -c 'kill -KILL $$'`, "before\n", 128 + 9},
		{"killed by SIGTERM", `sh -c 'kill -TERM $$'`, "", 128 + 15},
		{"exit in the command does not end the shell", "exit 3", "", 3},
	}
	for _, r := range readers {
		t.Run(r.name, func(t *testing.T) {
			sh, _ := localShell(t, r.wrap)
			for _, tt := range tests {
				got := run(t, sh, tt.cmd)
				if got.err != nil || got.skipped || got.exit != tt.exit || got.stdout != tt.stdout {
					t.Errorf("%s: exit %d, stdout %q, skipped %v, err %v; want exit %d, stdout %q",
						tt.name, got.exit, got.stdout, got.skipped, got.err, tt.exit, tt.stdout)
				}
			}
		})
	}
}

// Each command runs in a subshell: cd, export and variables do not reach
// the next command.
func TestShellCommandsDoNotChangeTheShell(t *testing.T) {
	sh, _ := localShell(t, asIs)
	wd, err := os.Getwd()
	must(t, err)
	run(t, sh, "cd /; export LUACAP_TEST_X=1; LUACAP_TEST_Y=2; __luacap_s=9")
	got := run(t, sh, `pwd; echo "${LUACAP_TEST_X-unset} ${LUACAP_TEST_Y-unset}"`)
	if want := wd + "\nunset unset\n"; got.stdout != want || got.exit != 0 {
		t.Errorf("after cd and export: stdout %q, exit %d; want %q", got.stdout, got.exit, want)
	}
}

func seq(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		b.WriteString(strconv.Itoa(i) + "\n")
	}
	return b.String()
}

// clip shows a long output by its length and ends.
func clip(s string) string {
	if len(s) <= 80 {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:30]) + "..." + strconv.Quote(s[len(s)-30:]) + " (" + strconv.Itoa(len(s)) + " bytes)"
}
