package command

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// hostileWords are the words a path, a user's ssh option or the binary's
// own location may hold.
var hostileWords = []string{
	"", "plain", "two words", "it's", "''", `"`, `""`, `a"b'c`, `\`, `\'`, `'\''`,
	"$HOME", "`x`", "a\nb", "a\tb", " lead", "trail ", "  ", "-o", "--x=y z",
	"ProxyJump=u@j:22", "/tmp/a b'c\"$HOME`x`\n-d", "\xff\xfe", "é ü",
}

// rsync itself is the oracle: it runs -e's value, and the words it
// passes to the program must be the words RsyncShell was given.
func TestRsyncShellAsRsyncSplitsIt(t *testing.T) {
	rsync, err := exec.LookPath("rsync")
	if err != nil {
		t.Fatal("rsync is not installed here: scripts/test installs it")
	}
	out := filepath.Join(t.TempDir(), "argv")
	for _, w := range hostileWords {
		want := []string{"sh", "-c", `printf '%s\0' "$@" > "$0"; exit 1`, out, w, "after"}
		cmd := exec.Command(rsync, "-e", RsyncShell(want), "/dev/null", "host:dst")
		_ = cmd.Run() // the program exits 1 on purpose, once it wrote its words
		got, err := os.ReadFile(out)
		if err != nil {
			t.Fatalf("%q: rsync did not run the program: %v", w, err)
		}
		words := strings.Split(string(bytes.TrimSuffix(got, []byte{0})), "\x00")
		if len(words) < 2 || words[0] != w || words[1] != "after" {
			t.Errorf("RsyncShell with %q: rsync passed %q", w, words)
		}
		_ = os.Remove(out)
	}
}

func TestRsyncShellLeavesPlainWordsAlone(t *testing.T) {
	got := RsyncShell([]string{"ssh", "-p", "2222", "-o", "StrictHostKeyChecking=yes", "it's", ""})
	want := `ssh -p 2222 -o StrictHostKeyChecking=yes 'it''s' ''`
	if got != want {
		t.Errorf("RsyncShell = %q, want %q", got, want)
	}
}
