package main

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionText(t *testing.T) {
	vcs := []debug.BuildSetting{{Key: "vcs.revision", Value: "56915e2abc"}, {Key: "vcs.time", Value: "2026-01-02T03:04:05Z"}}
	tests := []struct {
		name    string
		info    *debug.BuildInfo
		ok      bool
		stamped string
		want    string
	}{
		{"a tagged release", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0"}, Settings: vcs}, true, "dev",
			"luacap v1.2.0\ncommit 56915e2abc (2026-01-02T03:04:05Z)\nbuilt with go1.26.8\n"},
		{"a modified checkout", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"},
			Settings: append(vcs, debug.BuildSetting{Key: "vcs.modified", Value: "true"})}, true, "dev",
			"luacap (devel)\ncommit 56915e2abc (2026-01-02T03:04:05Z), with uncommitted changes\nbuilt with go1.26.8\n"},
		{"no vcs", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}, true, "dev",
			"luacap (devel)\ncommit unknown: built outside a git checkout, or with -buildvcs=false\nbuilt with go1.26.8\n"},
		{"no build info", nil, false, "dev", "luacap (devel)\nno build information: this binary records no commit\n"},
		{"a version from -ldflags wins", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0"}, Settings: vcs}, true, "v1.3.0-rc1",
			"luacap v1.3.0-rc1\ncommit 56915e2abc (2026-01-02T03:04:05Z)\nbuilt with go1.26.8\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := versionText(tt.info, tt.ok, tt.stamped); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestVersionFlag: luacap --version prints this binary's lines, the
// version first, whatever the build recorded.
func TestVersionFlag(t *testing.T) {
	code, out, errOut := runCLI(t, hooks{}, "--version")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != exitOK || errOut != "" || !strings.HasPrefix(lines[0], "luacap ") || len(lines) < 2 || lines[0] == "luacap dev" {
		t.Errorf("exit %d\n%s%s", code, out, errOut)
	}
}
