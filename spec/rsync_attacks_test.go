package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// Attacks on rsync(): the program rsync runs as its remote shell (luacap
// itself, over the open connection) and the `-e ssh ...` it runs when the
// connection cannot carry it.

// sendTask is a Deployfile whose task "send" runs hook, then copies the
// directory src into each of dsts on every host.
func sendTask(c *harness.Cluster, hook string, dsts ...string) string {
	roles := map[string]string{}
	for _, h := range c.Hosts {
		roles[h.Name] = `"web"`
	}
	var sends strings.Builder
	for _, d := range dsts {
		sends.WriteString("    rsync(fetch(\"src\"), " + luaString(d) + ")\n")
	}
	return preamble(c, roles) + `
task("send", function()
  ` + hook + `
  on(roles("web"), function()
` + sends.String() + `  end)
end)
`
}

// sendSource writes a source directory with one file beside the
// Deployfile in dir and returns its path.
func sendSource(t *testing.T, dir string) string {
	t.Helper()
	src := filepath.Join(dir, "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "f"), []byte("sent\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return src
}

// luacap's binary removed, or replaced by another program (an upgrade
// while a deploy runs), before rsync() starts its helper: the helper is
// still the running luacap, and the files go over the open connection.
func TestAttackRsyncAfterLuacapsBinaryIsRemovedOrReplaced(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	h := c.Hosts[0]
	for _, tc := range []struct{ name, hook string }{
		{"removed", `rm -f "$BIN"`},
		{"replaced", `printf '#!/bin/sh\necho not luacap >&2; exit 3\n' > "$BIN.new" && chmod +x "$BIN.new" && mv "$BIN.new" "$BIN"`},
	} {
		bin := filepath.Join(t.TempDir(), "luacap")
		if err := copyFile(luacap, bin, 0o755); err != nil {
			t.Fatal(err)
		}
		dir := harness.WriteDeployfile(t, sendTask(c, `run_locally(`+luaString(tc.hook)+`)`, "/var/www/"+tc.name))
		r := harness.Run(t, bin, dir, c.Home(), []string{"BIN=" + bin}, "send", "-v", "-s", "src="+sendSource(t, dir))
		if r.Code != 0 || !strings.Contains(r.Stdout, "rsync over luacap's connection") {
			t.Errorf("binary %s: exit %d, want 0 and the files over the open connection:\n%s", tc.name, r.Code, tail(r.Output(), 10))
			continue
		}
		if got := readString(t, h.Path("/var/www/"+tc.name+"/f")); got != "sent\n" {
			t.Errorf("binary %s: f = %q", tc.name, got)
		}
	}
}

func copyFile(from, to string, mode os.FileMode) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, mode)
}
