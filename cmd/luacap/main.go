// Command luacap deploys web applications over SSH with Lua recipes.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr}, nil))
}
