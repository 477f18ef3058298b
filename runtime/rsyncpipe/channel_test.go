package rsyncpipe

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

// fakePiper stands for a host's connection: it records the command, and
// answers with its stdin upper-cased on stdout, a line on stderr and exit,
// or fails to run the command at all.
type fakePiper struct {
	exit int
	err  error
	got  string
}

func (p *fakePiper) Pipe(ctx context.Context, cmd string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	p.got = cmd
	if p.err != nil {
		return 0, p.err
	}
	in, _ := io.ReadAll(stdin)
	stdout.Write(bytes.ToUpper(in))
	io.WriteString(stderr, "remote note\n")
	return p.exit, nil
}

func TestRsyncChannelCarriesTheCommandBothWays(t *testing.T) {
	big := strings.Repeat("x", 3*maxFrame+17) // several frames
	for _, tt := range []struct {
		name           string
		Piper          *fakePiper
		args           func(c *Channel) []string
		stdin          string
		code           int
		stdout, stderr string
		cmd            string
	}{
		{"exit status and streams", &fakePiper{exit: 3},
			func(c *Channel) []string { return []string{c.sock, c.token, "rsync", "--server", "."} },
			"abc", 3, "ABC", "remote note\n", "rsync --server ."},
		{"rsync's -l user is dropped", &fakePiper{},
			func(c *Channel) []string { return []string{c.sock, "-l", "deploy", c.token, "rsync", "--server"} },
			big, 0, strings.ToUpper(big), "remote note\n", "rsync --server"},
		{"a name that is not UTF-8 arrives byte for byte", &fakePiper{},
			func(c *Channel) []string { return []string{c.sock, c.token, "rsync", "/var/www/bad\xff\xfe\xc3(/"} },
			"", 0, "", "remote note\n", "rsync /var/www/bad\xff\xfe\xc3(/"},
		{"the command cannot run", &fakePiper{err: errors.New("web1: the connection was lost")},
			func(c *Channel) []string { return []string{c.sock, c.token, "rsync"} },
			"", 255, "", "luacap: web1: the connection was lost\n", "rsync"},
		{"a wrong token is not served", &fakePiper{},
			func(c *Channel) []string { return []string{c.sock, "not-the-token", "rsync"} },
			"", 255, "", "closed the channel before the command ended", ""},
		{"too few arguments", &fakePiper{},
			func(c *Channel) []string { return []string{c.sock} },
			"", 255, "", "rsync runs it, not you", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Open(context.Background(), tt.Piper)
			if err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			code := Shell(tt.args(c), strings.NewReader(tt.stdin), &stdout, &stderr)
			c.Close()
			if code != tt.code || stdout.String() != tt.stdout || !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("exit %d, stdout %d bytes, stderr %q; want exit %d, %d bytes, stderr with %q",
					code, stdout.Len(), stderr.String(), tt.code, len(tt.stdout), tt.stderr)
			}
			if tt.Piper.got != tt.cmd {
				t.Errorf("the host ran %q, want %q", tt.Piper.got, tt.cmd)
			}
		})
	}
}
