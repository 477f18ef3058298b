package netssh

import (
	"strings"
	"testing"
)

// The pid line is taken off the output however the writes split it, and
// nothing of the output after it is lost; a pid that names no command's
// group (0, 1, not a number) is never one to kill.
func TestPidTakerTakesTheFirstLine(t *testing.T) {
	tests := []struct {
		name   string
		writes []string
		pid    int64
		out    string
	}{
		{"one write", []string{"1234\nout\n"}, 1234, "out\n"},
		{"the line alone", []string{"1234\n", "out"}, 1234, "out"},
		{"split pid", []string{"12", "34", "\nout", "more"}, 1234, "outmore"},
		{"no output", []string{"77\n"}, 77, ""},
		{"never a whole line", []string{"12"}, 0, ""},
		{"pid 1", []string{"1\nout"}, 0, "out"},
		{"not a number", []string{"hello\nout"}, 0, "out"},
		{"a second number line is output", []string{"5\n6\n"}, 5, "6\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGroup()
			var out strings.Builder
			p := &pidTaker{g: g, w: &out}
			for _, w := range tt.writes {
				if n, err := p.Write([]byte(w)); n != len(w) || err != nil {
					t.Fatalf("Write(%q) = %d, %v", w, n, err)
				}
			}
			if g.pid.Load() != tt.pid || out.String() != tt.out {
				t.Errorf("pid %d, output %q; want %d, %q", g.pid.Load(), out.String(), tt.pid, tt.out)
			}
		})
	}
}
