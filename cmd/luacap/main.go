// Command luacap deploys web applications over SSH with Lua recipes.
package main

import (
	"os"
	"runtime/debug"
)

// memoryLimit is a soft limit for the Go heap: luacap's live memory is
// small, and without it the collector lets the heap grow to twice what a
// run with many hosts last kept. GOMEMLIMIT in the environment wins.
const memoryLimit = 48 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	survivePipes()
	os.Exit(run(os.Args[1:], stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr}, nil))
}
