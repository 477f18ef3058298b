package backend

import (
	"context"
	"io"
	"io/fs"
)

// Printer is the dry-run backend: it runs nothing. Session prints each
// command before handing it over, so a dry run shows every command for
// every host. Its stand-in answers let a recipe walk its whole flow:
// every command succeeds with empty output, so test() is true and
// capture() returns "" unless the recipe gives a dry_run answer.
type Printer struct{}

// Run reports success without running cmd.
func (Printer) Run(context.Context, string, RunOptions) (Result, error) {
	return Result{Simulated: true}, nil
}

// Upload reads nothing and writes nothing.
func (Printer) Upload(context.Context, io.Reader, string, fs.FileMode) error { return nil }

// Download writes nothing and reports mode 0644.
func (Printer) Download(context.Context, string, io.Writer) (fs.FileMode, error) {
	return 0o644, nil
}

// Close does nothing.
func (Printer) Close() error { return nil }
