package main

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// versionText is what luacap --version prints: the module version and the
// commit Go recorded in the binary, or a plain "(devel)" when it recorded
// neither. A version set with -ldflags "-X main.version=..." wins.
func versionText(info *debug.BuildInfo, ok bool, stamped string) string {
	name := stamped
	if name == "dev" || name == "" {
		name = "(devel)"
		if ok && info.Main.Version != "" {
			name = info.Main.Version
		}
	}
	if !ok {
		return fmt.Sprintf("luacap %s\nno build information: this binary records no commit\n", name)
	}
	setting := map[string]string{}
	for _, s := range info.Settings {
		setting[s.Key] = s.Value
	}
	var b strings.Builder
	fmt.Fprintf(&b, "luacap %s\n", name)
	if rev := setting["vcs.revision"]; rev != "" {
		fmt.Fprintf(&b, "commit %s", rev)
		if at := setting["vcs.time"]; at != "" {
			fmt.Fprintf(&b, " (%s)", at)
		}
		if setting["vcs.modified"] == "true" {
			b.WriteString(", with uncommitted changes")
		}
		b.WriteString("\n")
	} else {
		b.WriteString("commit unknown: built outside a git checkout, or with -buildvcs=false\n")
	}
	fmt.Fprintf(&b, "built with %s\n", info.GoVersion)
	return b.String()
}

// printVersion is luacap --version.
func printVersion() string {
	info, ok := debug.ReadBuildInfo()
	return versionText(info, ok, version)
}
