package main

import "github.com/luacap/luacap/runtime/engine"

// isRsyncShell reports a run as rsync's remote shell: luacap started by
// the rsync that rsync() runs, not by a user. It is not in the usage.
func isRsyncShell(args []string) bool {
	return len(args) > 0 && args[0] == engine.RsyncShellArg
}

// rsyncShell pipes rsync's stream through the running luacap to the host.
func rsyncShell(args []string, io stdio) int {
	return engine.RsyncShell(args[1:], io.in, io.out, io.err)
}
