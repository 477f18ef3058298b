package backend

import (
	"errors"
	"fmt"
	"strings"
)

// CommandError is a command that ran and exited non-zero.
type CommandError struct {
	Host   string
	Cmd    string
	Exit   int
	Stdout string
	Stderr string // its last StderrLimit bytes
	Cut    int64  // bytes of stderr dropped before Stderr
	SentBy string // the task that queued it, when it was sent without waiting
}

// stdoutTail bounds how many lines of stdout an error repeats; stderr is
// bounded by StderrLimit, as the command's result keeps it.
const stdoutTail = 20

func (e *CommandError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: command failed with exit status %d: %s", e.Host, e.Exit, firstLine(e.Cmd))
	if e.SentBy != "" {
		fmt.Fprintf(&b, "\n(sent by %s; nothing after it ran on %s)", e.SentBy, e.Host)
	}
	if s := strings.TrimRight(e.Stderr, "\n"); s != "" && e.Cut > 0 {
		fmt.Fprintf(&b, "\nstderr (its last %d bytes; %d bytes before them cut, printed above as they came):\n%s",
			len(e.Stderr), e.Cut, indent(s))
	} else if s != "" {
		b.WriteString("\nstderr:\n" + indent(s))
	}
	if s := strings.TrimRight(e.Stdout, "\n"); s != "" {
		lines := strings.Split(s, "\n")
		if len(lines) > stdoutTail {
			lines = lines[len(lines)-stdoutTail:]
			b.WriteString(fmt.Sprintf("\nstdout (last %d lines):\n", stdoutTail))
		} else {
			b.WriteString("\nstdout:\n")
		}
		b.WriteString(indent(strings.Join(lines, "\n")))
	}
	return b.String()
}

// firstLine keeps an error about a multi-line script readable; the
// output printed the whole script as it was sent.
func firstLine(cmd string) string {
	first, rest, multi := strings.Cut(cmd, "\n")
	if !multi {
		return cmd
	}
	return fmt.Sprintf("%s ... (and %d more lines)", first, strings.Count(rest, "\n")+1)
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}

// HostError is a failure on a host that is not a command's exit status:
// a refused connection, a failed upload.
type HostError struct {
	Host string
	Op   string
	Err  error
}

func (e *HostError) Error() string { return fmt.Sprintf("%s: %s: %v", e.Host, e.Op, e.Err) }

func (e *HostError) Unwrap() error { return e.Err }

// NamedHost returns the host err's message starts with (a command's or a
// host's failure), or "" for any other error.
func NamedHost(err error) string {
	var ce *CommandError
	if errors.As(err, &ce) {
		return ce.Host
	}
	var he *HostError
	if errors.As(err, &he) {
		return he.Host
	}
	return ""
}
