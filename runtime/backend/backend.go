// Package backend runs commands and moves files on one host. A Backend
// has only the primitives; Session adds the printing, timing and errors
// that every transport shares. Dry-run is the Printer backend.
package backend

import (
	"context"
	"io"
	"io/fs"
	"time"
)

// RunOptions are what a backend needs to run one command.
type RunOptions struct {
	Stdout, Stderr io.Writer // the command's streams, as they come
	PTY            bool      // ask for a terminal (ssh only)
	Stdin          io.Reader // streamed to the command's stdin; nil: none
}

// Result is how a command ended. Simulated is set by the Printer, whose
// commands never run.
type Result struct {
	Stdout, Stderr string // their last StdoutLimit and StderrLimit bytes
	StdoutCut      int64  // bytes of stdout dropped before Stdout
	StderrCut      int64  // bytes of stderr dropped before Stderr
	Exit           int
	Duration       time.Duration
	Simulated      bool
	Skipped        bool // queued, and not run because a command before it failed
}

// Backend is a transport to one host.
type Backend interface {
	// Run runs cmd through the host's sh. A non-zero exit is reported in
	// Result.Exit, not as an error; errors mean the command could not run.
	Run(ctx context.Context, cmd string, opts RunOptions) (Result, error)
	// Upload writes src to path on the host with mode.
	Upload(ctx context.Context, src io.Reader, path string, mode fs.FileMode) error
	// Download copies path on the host to dst and returns its mode.
	Download(ctx context.Context, path string, dst io.Writer) (fs.FileMode, error)
	// Close releases the connection, if any.
	Close() error
}
