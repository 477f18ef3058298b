package main

import (
	"bufio"
	"strings"
	"testing"
)

// ask() reads whole lines from the terminal: spaces are part of the
// answer, the line end is not, a last line without one counts.
func TestReadLineReadsWholeLines(t *testing.T) {
	tests := []struct{ input, want string }{
		{"two words\n", "two words|no answer: EOF"},
		{"  padded  \n", "  padded  |no answer: EOF"},
		{"windows\r\nnext\n", "windows|next"},
		{"\n", "|no answer: EOF"},
		{"no newline", "no newline|no answer: EOF"},
		{"", "no answer: EOF|no answer: EOF"},
	}
	for _, tt := range tests {
		in := bufio.NewReader(strings.NewReader(tt.input))
		var got []string
		for range 2 {
			line, err := readLine(in)
			if err != nil {
				line = err.Error()
			}
			got = append(got, line)
		}
		if strings.Join(got, "|") != tt.want {
			t.Errorf("readLine(%q) twice = %q, want %q", tt.input, strings.Join(got, "|"), tt.want)
		}
	}
}
