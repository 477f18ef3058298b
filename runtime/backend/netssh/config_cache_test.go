package netssh

import (
	"os"
	"path/filepath"
	"testing"
)

// One run reads each ssh_config file once: hosts sharing a config, and
// configs sharing an included file, do not read it again, and an edit
// made during the run is not seen by later dials.
func TestSSHConfigIsReadOncePerRun(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	shared := write(t, dir, "shared.conf", "Host *\n  User first\n")
	a := write(t, dir, "a.conf", "Include "+shared+"\nHost web1\n  Port 2201\n")
	b := write(t, dir, "b.conf", "Include "+shared+"\n")
	reads := map[string]int{}
	d := &Dialer{}
	d.cache.files = &configReader{read: func(path string) ([]byte, error) {
		reads[path]++
		return os.ReadFile(path)
	}}
	dials := []struct{ host, config, user string }{
		{"web1", a, "first"},
		{"web2", a, "first"},
		{"web3", b, "first"},
		{"edit", "", ""},
		{"web4", b, "first"},
		{"web5", a, "first"},
	}
	for _, dl := range dials {
		if dl.host == "edit" {
			write(t, dir, "shared.conf", "Host *\n  User second\n")
			continue
		}
		s, err := d.resolve(dl.host, dl.host, "", 0, parsed(t, map[string]any{"config": dl.config}))
		if err != nil {
			t.Fatal(err)
		}
		if s.User != dl.user {
			t.Errorf("%s: user %q, want %q (the file as the run first read it)", dl.host, s.User, dl.user)
		}
	}
	for _, f := range []string{a, b, shared} {
		if reads[f] != 1 {
			t.Errorf("%s read %d times, want once", filepath.Base(f), reads[f])
		}
	}
}

func write(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
