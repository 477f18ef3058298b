package backend

import (
	"fmt"
	"io"
	"strings"
)

// Bounds on what a command's result keeps in memory. The streams are
// printed as they come, whole; the result keeps only their ends: enough
// for capture() (which refuses more than StdoutLimit), and for an error
// message, which quotes the last StderrLimit bytes of stderr.
const (
	StdoutLimit = 8 << 20
	StderrLimit = 4 << 10
)

// Tail keeps the last limit bytes written to it in a ring, and counts
// the bytes it dropped: a stream of any length costs at most limit.
type Tail struct {
	limit int
	buf   []byte // grows to limit, then wraps at start
	start int
	cut   int64
}

// NewTail returns a Tail that keeps the last limit bytes.
func NewTail(limit int) *Tail { return &Tail{limit: limit} }

// Write keeps the end of p. It never fails.
func (t *Tail) Write(p []byte) (int, error) {
	n := len(p)
	if len(p) >= t.limit { // p alone fills the ring
		t.cut += int64(len(t.buf) + len(p) - t.limit)
		t.buf, t.start = append(t.buf[:0], p[len(p)-t.limit:]...), 0
		return n, nil
	}
	if room := t.limit - len(t.buf); room > 0 {
		k := min(room, len(p))
		t.buf, p = append(t.buf, p[:k]...), p[k:]
	}
	for len(p) > 0 { // the ring is full: overwrite the oldest bytes
		k := copy(t.buf[t.start:], p)
		t.start, p, t.cut = (t.start+k)%t.limit, p[k:], t.cut+int64(k)
	}
	return n, nil
}

// String returns the bytes kept, oldest first.
func (t *Tail) String() string {
	return string(t.buf[t.start:]) + string(t.buf[:t.start])
}

// Cut is how many bytes were dropped from the front.
func (t *Tail) Cut() int64 { return t.cut }

// Tee writes to buf, and to w when there is one: a command's stream is
// both kept for its result and printed as it comes.
func Tee(buf io.Writer, w io.Writer) io.Writer {
	if w == nil {
		return buf
	}
	return io.MultiWriter(buf, w)
}

// Kept is a command's two streams as its result keeps them.
type Kept struct{ Stdout, Stderr *Tail }

// NewKept returns the bounded buffers for one command's streams.
func NewKept() Kept { return Kept{NewTail(StdoutLimit), NewTail(StderrLimit)} }

// Result fills res's streams from what was kept.
func (k Kept) Result(res Result) Result {
	res.Stdout, res.StdoutCut = k.Stdout.String(), k.Stdout.Cut()
	res.Stderr, res.StderrCut = k.Stderr.String(), k.Stderr.Cut()
	return res
}

// Captured is stdout with surrounding space removed, as capture()
// returns it, or an error when it was longer than a result keeps.
func (r Result) Captured(host, cmd string) (string, error) {
	if r.StdoutCut > 0 {
		return "", &HostError{Host: host, Op: "capturing the output of " + firstLine(cmd),
			Err: fmt.Errorf("it printed %d bytes, more than the %d capture() keeps; write it to a file and read what you need of it",
				r.StdoutCut+int64(len(r.Stdout)), StdoutLimit)}
	}
	return strings.TrimSpace(r.Stdout), nil
}
