package output

import "io"

// sink is the writer an Output prints to. Once a write fails (stdout is
// a pipe whose reader is gone, a closed terminal) it drops every later
// write: what luacap prints must never change what a run does.
type sink struct {
	w      io.Writer
	broken bool
}

// Write writes p, or drops it once the writer has failed. It never
// returns an error: the caller has nothing better to do with one.
func (s *sink) Write(p []byte) (int, error) {
	if s.broken {
		return len(p), nil
	}
	if n, err := s.w.Write(p); err != nil || n < len(p) {
		s.broken = true
	}
	return len(p), nil
}

// WriteString writes s; see Write.
func (s *sink) WriteString(str string) { s.Write([]byte(str)) }
