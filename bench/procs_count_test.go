package bench

import "testing"

// TestCountProcs reads strace -f -z output as strace pads it: pids of
// different widths, calls cut in two by another process's line, and
// threads, which cost no process of their own.
func TestCountProcs(t *testing.T) {
	tests := []struct {
		name         string
		out          string
		execs, forks int
		programs     string
	}{
		{"nothing", "", 0, 0, ""},
		{"a command substitution and a program", "31510 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|SIGCHLD) = 31572\n" +
			"31572 execve(\"/usr/bin/basename\", [\"basename\", \"/a/b\"], 0x5 /* 10 vars */) = 0\n", 1, 1, "basename 1"},
		{"shorter pids are padded", "2146  vfork()                           = 2155\n" +
			"2155  execve(\"/usr/bin/rm\", [\"rm\", \"-f\", \"x\"], 0x5 /* 10 vars */) = 0\n" +
			"2146  vfork()                           = 2156\n" +
			"2156  execve(\"/usr/bin/rm\", [\"rm\", \"-f\", \"y\"], 0x5 /* 10 vars */) = 0\n", 2, 2, "rm 2"},
		{"a call resumed", "300 clone(child_stack=NULL, flags=SIGCHLD <unfinished ...>\n301 execve(\"/usr/bin/ln\", [\"ln\"]) = 0\n" +
			"300 <... clone resumed>) = 302\n", 1, 1, "ln 1"},
		{"a thread", "300 clone3({flags=CLONE_VM|CLONE_THREAD, stack=0x1}, 88) = 303\n", 0, 0, ""},
		{"the child's side of a fork", "300 vfork() = 0\n", 0, 0, ""},
		{"most run first, then by name", "1 execve(\"/usr/bin/mkdir\", []) = 0\n1 execve(\"/usr/bin/cp\", []) = 0\n" +
			"1 execve(\"/usr/bin/mkdir\", []) = 0\n1 execve(\"/usr/bin/bash\", []) = 0\n", 4, 0, "mkdir 2, bash 1, cp 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			execs, forks, programs := countProcs(tt.out)
			if execs != tt.execs || forks != tt.forks || programs != tt.programs {
				t.Errorf("countProcs = %d, %d, %q; want %d, %d, %q", execs, forks, programs, tt.execs, tt.forks, tt.programs)
			}
		})
	}
}
