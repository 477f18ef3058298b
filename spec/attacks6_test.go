package spec

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/luacap/luacap/spec/harness"
)

// Attacks on the shell's first commands, sent in the exec request that
// starts it, and on the spare channel started ready (a sh reading the
// command to run from its stdin).

// loginShells are the login shells the hosts are given: sshd runs an
// exec request's command with the user's. bash is every other
// scenario's.
var loginShells = []string{"/bin/sh", "/usr/bin/zsh", "/usr/bin/tcsh", "/usr/bin/fish"}

// onEachLoginShell runs scenario side by side on a one-host cluster of its
// own for each login shell (harness.Missing stops the spec when one is
// not installed).
func onEachLoginShell(t *testing.T, scenario func(t *testing.T, c *harness.Cluster)) {
	for _, login := range loginShells {
		t.Run(filepath.Base(login), func(t *testing.T) {
			t.Parallel()
			scenario(t, harness.Start(t, 1, harness.Options{LoginShell: login}))
		})
	}
}

// hostileFirst are commands a pipelined task sends first, with what each
// leaves in its file: they all travel in the shell's exec request but
// the one past 32 KiB, which starts the shell, and the one after it.
var hostileFirst = []struct{ cmd, want string }{
	{`printf '%s\n' "it's" 'a "b"' > /var/www/f1`, "it's\na \"b\"\n"},
	{`printf '%s\n' 'back\\slash \n \' > /var/www/f2`, `back\\slash \n \` + "\n"},
	{"echo \"line one\n'line' two\" > /var/www/f3", "line one\n'line' two\n"},
	{"cat > /var/www/f4 <<'EOF'\n$HOME 'q' \\\n\\\\\nEOF", "$HOME 'q' \\\n\\\\\n"},
	{`cat > /var/www/f5`, ""},
	{`exec echo exec\'d > /var/www/f6`, "exec'd\n"},
	{`set -e; echo e > /var/www/f7`, "e\n"},
	{`trap 'echo trapped > /var/www/f8' EXIT`, "trapped\n"},
	{"printf 'a\rb\r\n' > /var/www/f9", "a\rb\r\n"},
	{"echo '\xff\xfe' \"\xc3(\" > /var/www/f10", "\xff\xfe \xc3(\n"},
	{`echo 'hi!' "!!" '$x' "\$y" '%s%%' > /var/www/f11; exit 0`, "hi! !! $x $y %s%%\n"},
	{`echo "` + strings.Repeat("'", 6000) + `" | wc -c > /var/www/f12`, "6001\n"},
	{`echo "` + strings.Repeat("x'", 16000) + `" | wc -c > /var/www/f13`, "32001\n"},
	{`echo "a'b\\" > /var/www/f14`, "a'b\\\n"},
}

// The first commands, however hostile, run as they would one at a time,
// under each login shell sshd may start them with; the shell then takes
// the next commands on its stdin.
func TestAttackHostileFirstCommandsUnderEachLoginShell(t *testing.T) {
	onEachLoginShell(t, func(t *testing.T, c *harness.Cluster) {
		h := c.Hosts[0]
		var cmds strings.Builder
		for _, f := range hostileFirst {
			cmds.WriteString("    execute(" + luaString(f.cmd) + ")\n")
		}
		src := preamble(c, map[string]string{"h1": `"app"`}) + `
task("first", { pipelined = true }, function()
  on(roles("app"), function()
` + cmds.String() + `  end)
end)
task("next", function() run("echo next > /var/www/next") end)`
		r := runLuacap(t, c, src, nil, "first", "next")
		if r.Code != 0 {
			t.Fatalf("exit %d:\n%s", r.Code, tail(r.Stderr, 4))
		}
		for i, f := range hostileFirst {
			path := h.Path("/var/www/f" + strconv.Itoa(i+1))
			if got, err := os.ReadFile(path); err != nil || string(got) != f.want {
				t.Errorf("command %d left %q (%v), want %q", i+1, got, err, f.want)
			}
		}
		if got := readString(t, h.Path("/var/www/next")); got != "next\n" {
			t.Errorf("the next task's command left %q", got)
		}
	})
}

// spareInput is stdin that looks like the ready spare's own input (a
// count, then lines), like commands, like printf's format, with NUL
// bytes, and with no new line at its end.
const spareInput = "2\nrm -rf /var/www\n'$(touch /var/www/pwned)' %s %n \\\\ \x00\xff\r\nexit 0"

// hostileNames are file names rsync carries through the ready spare.
var hostileNames = []string{"a b", "it's", "-rf", "new\nline", "\xff\xfe", "$(touch pwned)", "%s"}

// What a command with stdin and an rsync run through the spare channel
// started ready is what they read and write, under each login shell:
// hostile input, empty input, hostile file names. A command with stdin
// after the spare was taken, in a session of its own, runs under sh too.
func TestAttackReadySpareUnderEachLoginShell(t *testing.T) {
	onEachLoginShell(t, func(t *testing.T, c *harness.Cluster) {
		h := c.Hosts[0]
		src := preamble(c, map[string]string{"h1": `"app"`}) + `
task("send", function()
  on(roles("app"), function()
    execute("cat > /var/www/in; echo took", { stdin = "in.txt" })
    execute("cat > /var/www/empty", { stdin = "empty.txt" })
    execute("{ cat; } > /var/www/braces", { stdin = "in.txt" }) -- sh's syntax, in a session of its own
  end)
  on(roles("app"), function()
    rsync("tree/", "/var/www/tree")
  end)
end)`
		dir := harness.WriteDeployfile(t, src)
		write := func(name, content string) {
			if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		write("in.txt", spareInput)
		write("empty.txt", "")
		for _, name := range hostileNames {
			write(filepath.Join("tree", name), name)
		}
		r := harness.Run(t, luacap, dir, c.Home(), nil, "send")
		if r.Code != 0 {
			t.Fatalf("exit %d:\n%s", r.Code, tail(r.Output(), 12))
		}
		if got, err := os.ReadFile(h.Path("/var/www/in")); string(got) != spareInput {
			t.Errorf("the command read %q (%v), want %q", got, err, spareInput)
		}
		if got, err := os.ReadFile(h.Path("/var/www/braces")); string(got) != spareInput {
			t.Errorf("the command in a session of its own read %q (%v), want %q", got, err, spareInput)
		}
		if got, err := os.ReadFile(h.Path("/var/www/empty")); err != nil || len(got) != 0 {
			t.Errorf("the command with empty input read %q (%v)", got, err)
		}
		for _, name := range hostileNames {
			if got, err := os.ReadFile(h.Path("/var/www/tree/" + name)); string(got) != name {
				t.Errorf("rsync left %q as %q (%v)", name, got, err)
			}
		}
		for _, p := range []string{"/var/www/pwned", "/var/www/tree/pwned"} {
			if _, err := os.Stat(h.Path(p)); err == nil {
				t.Errorf("%s was made: input or a name ran as a command", p)
			}
		}
	})
}

// 24 MB (hundreds of times the channel's and the pipe's buffers) through
// the ready spare arrive whole.
func TestAttackBigInputThroughTheReadySpare(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	src := preamble(c, map[string]string{"h1": `"app"`}) + `
task("big", function()
  on(roles("app"), function()
    execute("sha256sum > /var/www/sum", { stdin = "big.bin" })
  end)
end)`
	dir := harness.WriteDeployfile(t, src)
	big := filepath.Join(dir, "big.bin")
	out, err := exec.Command("sh", "-c", "head -c 25165824 /dev/urandom > "+big+" && sha256sum < "+big).CombinedOutput()
	if err != nil {
		t.Fatalf("%v %s", err, out)
	}
	r := harness.Run(t, luacap, dir, c.Home(), nil, "big")
	mustSucceed(t, r)
	if got := readString(t, c.Hosts[0].Path("/var/www/sum")); got != string(out) {
		t.Errorf("the host read other bytes: sum %q, want %q", got, out)
	}
}

// A failure among the first commands, on a real sshd: the commands sent
// after it, in the exec request and on stdin (one past 32 KiB), are
// skipped; the next task's command, sent once the failure was read, runs;
// and no sh of the run is left on the host once luacap has exited, the
// spare channel's that was never used included.
func TestAttackFailureAmongTheFirstCommandsOnARealHost(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	h := c.Hosts[0]
	src := preamble(c, map[string]string{"h1": `"app"`}) + `
task("first", { pipelined = true }, function()
  on(roles("app"), function()
    execute("echo one > /var/www/one")
    execute("echo broken >&2; exit 3")
    execute("echo two > /var/www/two")
    execute(": ` + strings.Repeat("x", 40<<10) + `; echo big > /var/www/big")
    execute("echo three > /var/www/three")
  end)
end)
task("next", function() run("echo next > /var/www/next") end)`
	r := runLuacap(t, c, src, nil, "first")
	if r.Code != 1 || !strings.Contains(r.Stderr, "exit status 3") {
		t.Errorf("exit %d, want 1 for exit status 3:\n%s", r.Code, tail(r.Stderr, 4))
	}
	r = runLuacap(t, c, src, nil, "next")
	mustSucceed(t, r)
	for path, want := range map[string]bool{"/var/www/one": true, "/var/www/two": false, "/var/www/big": false,
		"/var/www/three": false, "/var/www/next": true} {
		if _, err := os.Stat(h.Path(path)); (err == nil) != want {
			t.Errorf("%s exists: %v, want %v", path, err == nil, want)
		}
	}
	time.Sleep(300 * time.Millisecond)
	if left := hostProcesses(h, "sh"); len(left) > 0 {
		t.Errorf("left on the host after luacap exited: %v", left)
	}
}

// hostProcesses lists the processes in h's mount namespace whose program
// is name.
func hostProcesses(h *harness.Host, name string) []string {
	ns, _ := os.Readlink("/proc/" + strconv.Itoa(h.Pid()) + "/ns/mnt")
	var found []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		if pns, _ := os.Readlink("/proc/" + e.Name() + "/ns/mnt"); pns != ns {
			continue
		}
		b, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if args := strings.Split(string(b), "\x00"); filepath.Base(args[0]) == name {
			found = append(found, e.Name()+": "+strings.ReplaceAll(string(b), "\x00", " "))
		}
	}
	return found
}

// With forward_agent the spare is not started ahead: a command with stdin
// and rsync still run on it, and see the forwarded agent.
func TestAttackStdinAndRsyncWithTheForwardedAgent(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	h := c.Hosts[0]
	sock := harness.StartAgent(t, c.ClientKey)
	src := preamble(c, map[string]string{"h1": `"app"`}) + `
set("ssh_options", { config = "` + c.SSHConfig + `", forward_agent = true })
task("send", function()
  on(roles("app"), function()
    execute("test -S \"$SSH_AUTH_SOCK\" && cat > /var/www/in", { stdin = "in.txt" })
  end)
  on(roles("app"), function() rsync("tree/", "/var/www/tree") end)
end)`
	dir := harness.WriteDeployfile(t, src)
	if err := os.MkdirAll(filepath.Join(dir, "tree"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"in.txt": spareInput, "tree/it's": "it's"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := harness.Run(t, luacap, dir, c.Home(), []string{"SSH_AUTH_SOCK=" + sock}, "send")
	if r.Code != 0 {
		t.Fatalf("exit %d:\n%s", r.Code, tail(r.Output(), 12))
	}
	if got := readString(t, h.Path("/var/www/in")); got != spareInput {
		t.Errorf("the command read %q", got)
	}
	if got := readString(t, h.Path("/var/www/tree/it's")); got != "it's" {
		t.Errorf("rsync left %q", got)
	}
}
