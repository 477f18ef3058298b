package netssh

import (
	"bufio"
	"strings"
	"testing"
)

// Whatever the lines' lengths against the buffer, until passes on the
// command's output byte for byte, finds the marker only at a line's
// start, and never holds a whole long line.
func TestUntilPassesLongLinesInPieces(t *testing.T) {
	const marker = "__END:1"
	long := strings.Repeat("x", 100000)
	for _, out := range []string{
		"", "one", "one\ntwo", long, long + "\n" + long, "a\n" + long + "\nb",
		long + marker,                           // the marker's text inside a line is output
		strings.Repeat("y", 64) + marker + " 0", // a piece that ends where the marker's text starts
	} {
		var got strings.Builder
		r := &lineReader{bufio.NewReaderSize(strings.NewReader(out+"\n"+marker+" 7\nnext"), 64)}
		rest, err := r.until(marker, &got)
		if err != nil || rest != " 7" || got.String() != out {
			t.Errorf("output of %d bytes: got %d bytes, rest %q, %v", len(out), got.Len(), rest, err)
		}
	}
}
