package spec

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

func TestAsSudoPtyAndEnvironment(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	src := preamble(c, map[string]string{"h1": `"app"`}) + `
task("who", function()
  on(roles("app"), function()
    as("nobody", function() execute("echo as=$(whoami)") end)
    sudo("echo sudo=$(whoami)")
    with({ GREETING = "hello there" }, function() execute("echo env=\"$GREETING\"") end)
    execute("[ -t 0 ] && echo tty=yes || echo tty=no")
    execute("[ -t 0 ] && echo tty=yes || echo tty=no", { pty = true })
  end)
end)`
	r := runLuacap(t, c, src, nil, "who")
	mustSucceed(t, r)
	for _, want := range []string{"| as=nobody", "| sudo=root", "| env=hello there", "| tty=no", "| tty=yes"} {
		if !strings.Contains(r.Stdout, want+"\n") && !strings.Contains(r.Stdout, want+"\r\n") {
			t.Errorf("output lacks %q:\n%s", want, r.Stdout)
		}
	}
}

func TestEncryptedKeyWithoutATerminal(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	key := filepath.Join(c.Dir, "id_encrypted")
	if _, err := harness.NewKey(key, "correct horse"); err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(preamble(c, map[string]string{"h1": `"app"`}), "config = ", "keys = { \""+key+"\" }, config = ", 1) +
		`task("x", function() run("true") end)`
	r := runLuacap(t, c, src, nil, "x")
	want := "h1: connecting: key " + key + " is encrypted and there is no terminal to ask its passphrase; add it to ssh-agent with ssh-add " + key
	if r.Code != 1 || !strings.Contains(r.Stderr, want) {
		t.Errorf("exit %d; stderr lacks %q:\n%s", r.Code, want, r.Stderr)
	}
}

func TestUnknownSSHOption(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	src := strings.Replace(preamble(c, map[string]string{"h1": `"app"`}), "config = ", "forward_agnet = true, config = ", 1) +
		`task("x", function() run("true") end)`
	r := runLuacap(t, c, src, nil, "x")
	if r.Code != 2 || !strings.Contains(r.Stderr, `ssh_options: "forward_agnet" is not an option`) {
		t.Errorf("exit %d:\n%s", r.Code, r.Output())
	}
}

func TestCommandTimeoutAndRefusedLogin(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	h := c.Host("h1")
	timeout := strings.Replace(preamble(c, map[string]string{"h1": `"app"`}), "config = ", "command_timeout = 1, config = ", 1) +
		`task("x", function() run("sleep 20") end)`
	r := runLuacap(t, c, timeout, nil, "x")
	if r.Code != 1 || !strings.Contains(r.Stderr, "h1: running sleep 20: the command ran longer than command_timeout (1s) and was stopped") {
		t.Errorf("command_timeout: exit %d\n%s", r.Code, r.Output())
	}
	stranger := filepath.Join(c.Dir, "id_stranger")
	if _, err := harness.NewKey(stranger, ""); err != nil {
		t.Fatal(err)
	}
	refused := strings.Replace(preamble(c, map[string]string{"h1": `"app"`}), "config = ", "keys = { \""+stranger+"\" }, config = ", 1) +
		`task("x", function() run("true") end)`
	r = runLuacap(t, c, refused, nil, "x")
	want := fmt.Sprintf("h1: connecting: authentication refused for root@127.0.0.1:%d: the server accepted none of the keys offered", h.Port)
	if r.Code != 1 || !strings.Contains(r.Stderr, want) {
		t.Errorf("refused login: exit %d; stderr lacks %q:\n%s", r.Code, want, r.Stderr)
	}
}
