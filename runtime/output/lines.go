package output

import (
	"bytes"
	"sync"
)

// maxLine is the longest piece of a line held before it is printed.
const maxLine = 64 << 10

// LineWriter turns a command's output stream into Line calls, one per
// complete line. Close flushes a last line that has no newline.
type LineWriter struct {
	mu     sync.Mutex
	out    *Output
	host   string
	stderr bool
	buf    []byte
}

// Writer returns a LineWriter for one stream of one command on host.
func (o *Output) Writer(host string, stderr bool) *LineWriter {
	return &LineWriter{out: o, host: host, stderr: stderr}
}

// Write prints every complete line in p and keeps the rest.
func (w *LineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.out.Line(w.host, w.stderr, string(bytes.TrimRight(w.buf[:i], "\r")))
		w.buf = w.buf[i+1:]
	}
	if len(w.buf) >= maxLine { // a line without end is printed in pieces, never held whole
		w.out.Line(w.host, w.stderr, string(w.buf))
		w.buf = nil
	}
	return len(p), nil
}

// Close prints what is left of an unterminated last line.
func (w *LineWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		w.out.Line(w.host, w.stderr, string(w.buf))
		w.buf = nil
	}
	return nil
}
