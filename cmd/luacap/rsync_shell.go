package main

import "github.com/luacap/luacap/runtime/rsyncpipe"

// isRsyncShell reports a run as rsync's remote shell: luacap started by
// the rsync that rsync() runs, not by a user. It is not in the usage.
func isRsyncShell(args []string) bool {
	return len(args) > 0 && args[0] == rsyncpipe.ShellArg
}

// rsyncShell pipes rsync's stream through the running luacap to the host.
func rsyncShell(args []string, io stdio) int {
	return rsyncpipe.Shell(args[1:], io.in, io.out, io.err)
}
