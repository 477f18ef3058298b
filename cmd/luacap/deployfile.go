package main

import (
	"os"
	"path/filepath"
)

// deployfileName is what luacap looks for when -f is not given.
const deployfileName = "Deployfile.lua"

// findDeployfile returns the Deployfile in dir or its nearest parent,
// as a path relative to dir when it can, so errors read "Deployfile.lua:12".
func findDeployfile(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		p := filepath.Join(d, deployfileName)
		if _, err := os.Stat(p); err == nil {
			if rel, err := filepath.Rel(dir, p); err == nil {
				return rel, nil
			}
			return p, nil
		}
		if filepath.Dir(d) == d {
			return "", usageError{"no " + deployfileName + " here or in a parent directory; write one or pass -f FILE"}
		}
	}
}
