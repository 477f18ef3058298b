package backend

import (
	"context"
	"io"
)

// Pipeliner is a Backend that can queue commands on its host: Send returns
// once a command is on its way, and Receive reads the ends in the order
// they were sent. A guarded command runs only if no guarded command queued
// before it failed; so a failure stops the host where it happened, as if
// each command had been waited for. A cleanup command always runs.
type Pipeliner interface {
	// Send queues cmd. queued is false, with nothing queued, when the
	// backend cannot queue right now; the caller runs cmd instead.
	Send(ctx context.Context, cmd string, always bool) (queued bool, err error)
	// Receive reads the end of the oldest queued command, streaming its
	// output to stdout and stderr. Result.Skipped is a guarded command
	// that did not run because one before it failed.
	Receive(ctx context.Context, stdout, stderr io.Writer) (Result, error)
}

type cleanupKey struct{}

// Cleanup marks ctx as undo or on_exit work: its commands run even after
// a queued command failed, and such a failure, found on the way, is kept
// for the next Sync instead of failing the cleanup.
func Cleanup(ctx context.Context) context.Context {
	return context.WithValue(ctx, cleanupKey{}, true)
}

func isCleanup(ctx context.Context) bool {
	v, _ := ctx.Value(cleanupKey{}).(bool)
	return v
}
