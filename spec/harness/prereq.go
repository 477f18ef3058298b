package harness

import (
	"os"
	"strings"
)

// prerequisites are the programs the hosts need, with the Debian package
// that has each.
var prerequisites = []struct{ path, pkg string }{
	{"/usr/sbin/sshd", "openssh-server"},
	{"/usr/bin/unshare", "util-linux"},
	{"/usr/bin/rsync", "rsync"},
	{"/usr/bin/sudo", "sudo"},
	{"/usr/sbin/ip", "iproute2"},
	// Login shells the hosts' user is given: sshd runs every command
	// luacap sends through it.
	{"/usr/bin/zsh", "zsh"},
	{"/usr/bin/tcsh", "tcsh"},
	{"/usr/bin/fish", "fish"},
}

// Missing says in one line what the spec cannot run without (root, or
// programs not installed), or returns "" when nothing is missing, so a
// machine without them fails at once instead of waiting for banners.
func Missing() string {
	var pkgs []string
	for _, p := range prerequisites {
		if _, err := os.Stat(p.path); err != nil {
			pkgs = append(pkgs, p.pkg)
		}
	}
	var parts []string
	if os.Geteuid() != 0 {
		parts = append(parts, "it runs sshd hosts in mount namespaces, as root")
	}
	if len(pkgs) > 0 {
		parts = append(parts, "it needs "+strings.Join(pkgs, ", "))
	}
	return strings.Join(parts, "; ")
}
