package command

import (
	"os/exec"
	"testing"
)

// Every byte but NUL reaches sh as written, whichever login shell sshd
// hands the exec request's command to (those installed here).
func TestStartShUnderEachLoginShell(t *testing.T) {
	var every []byte
	for c := 1; c < 256; c++ {
		every = append(every, byte(c))
	}
	text := string(every) + "\n'\\''\\\\ \"$x\" `y` %s %% !! \\n"
	script := "cat <<'EOF'\n" + text + "\nEOF"
	for _, login := range []string{"sh", "bash", "dash", "zsh", "tcsh", "csh", "fish"} {
		t.Run(login, func(t *testing.T) {
			path, err := exec.LookPath(login)
			if err != nil {
				t.Skipf("%s is not installed", login)
			}
			out, err := exec.Command(path, "-c", StartSh(PrintfFormat(script))).CombinedOutput()
			if err != nil || string(out) != text+"\n" {
				t.Errorf("%v; sh printed\n%q\nwant\n%q", err, out, text+"\n")
			}
		})
	}
}
