package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/luacap/luacap/runtime/output"
)

// stopSignals are the signals that stop a run: Ctrl-C, kill, and the
// terminal or the ssh session luacap runs in going away.
var stopSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP}

// survivePipes keeps luacap alive when its stdout or stderr is a pipe
// whose reader is gone (`luacap deploy | tee log` and a Ctrl-C that kills
// tee too): writes fail instead, and the output drops them. Notify rather
// than Ignore: an ignored signal stays ignored in the commands luacap
// starts, a caught one does not.
func survivePipes() {
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
}

// signalContexts returns the run's context, cancelled by the first stop
// signal, and the abort context, cancelled by the second: the first stops
// the commands and lets transactions undo and cleanups run; the second
// cuts the undo and cleanups short.
func signalContexts(sigs <-chan os.Signal, out *output.Output) (run, abort context.Context, stop func()) {
	unsubscribe := func() {}
	if sigs == nil {
		ch := make(chan os.Signal, 2)
		signal.Notify(ch, stopSignals...)
		sigs, unsubscribe = ch, func() { signal.Stop(ch) }
	}
	run, cancelRun := context.WithCancel(context.Background())
	abort, cancelAbort := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		for n := 0; ; n++ {
			select {
			case <-done:
				return
			case <-sigs:
				switch n {
				case 0:
					out.Warn("interrupted: stopping the commands in flight and undoing this run's changes (press Ctrl-C again to stop the undo)")
					cancelRun()
				case 1:
					out.Warn("interrupted again: stopping the undo and the cleanups; what is left is listed at the end")
					cancelAbort()
				}
			}
		}
	}()
	return run, abort, func() { unsubscribe(); close(done); cancelRun(); cancelAbort() }
}
