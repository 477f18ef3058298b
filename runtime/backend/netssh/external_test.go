package netssh

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/luacap/luacap/runtime/transport"
)

// hostilePaths are client files' paths that ssh's option parser splits
// (space, tab), unquotes (quotes, backslash), cuts (#) or expands (%).
var hostilePaths = []string{"/k/a b", "/k/t\tab", "/k/it's", `/k/q"q`, `/k/back\slash`, `/k/\"`, "/k/#x", "/k/%h %%",
	"/k/n\nl", "/k/é\xff", "/k/$HOME"}

// ssh -G is the oracle: the ssh that rsync runs reads back the files
// luacap read, whatever their names.
func TestExternalSSHReadsTheFilesLuacapRead(t *testing.T) {
	if _, err := exec.LookPath("ssh"); err != nil {
		t.Fatal("ssh is not installed here: scripts/test installs it")
	}
	for _, p := range hostilePaths {
		s := Settings{StrictHostKey: "yes", KnownHosts: []string{p, p + "2"}, GlobalKnownHosts: []string{"/g 1"},
			AgentSocket: p, IdentityFiles: []string{p}, namedKeys: true, Certificates: []string{p},
			opts: transport.Options{NoConfig: true}}
		args := append(append([]string{"-G", "-p", "22"}, s.sshArgs()...), "web1")
		out, err := exec.Command("ssh", args...).CombinedOutput()
		if err != nil {
			t.Errorf("%q: ssh -G %q: %v\n%s", p, args, err, out)
			continue
		}
		doubled := strings.ReplaceAll(p, "%", "%%")
		for _, want := range []string{"\nuserknownhostsfile " + p + " " + p + "2\n", "\nidentityagent " + p + "\n",
			"\nglobalknownhostsfile /g 1\n", "\nstricthostkeychecking true\n",
			// -G shows these two before it expands them: %% is still two
			"\nidentityfile " + doubled + "\n", "\ncertificatefile " + doubled + "\n"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("%q: ssh -G %q has no line %q", p, args, want)
			}
		}
	}
}
