package main

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"

	"github.com/luacap/luacap/runtime/engine"
	"github.com/luacap/luacap/runtime/output"
)

// defaultLog is where the log goes, relative to the Deployfile's directory.
const defaultLog = "log/luacap.log"

// logPath is the log file a run appends to: --log, then
// set("log_file", ...), then log/luacap.log beside the Deployfile; ""
// for none (--log -, or a dry run, which changes nothing worth a record).
func logPath(e *engine.Engine, c *config, deployfile string, h hooks) string {
	switch {
	case c.log == "-":
		return ""
	case c.log != "":
		return c.log
	}
	dir := filepath.Dir(deployfile)
	if set, ok := e.Setting("log_file"); ok {
		if set == "-" || set == "" {
			return ""
		}
		if filepath.IsAbs(set) {
			return set
		}
		return filepath.Join(dir, set)
	}
	if c.dryRun || h.noDefaultLog {
		return ""
	}
	return filepath.Join(dir, defaultLog)
}

// openLog appends the run's verbose rendering to the log file. A log
// that cannot be opened is a warning: the run is what matters.
func openLog(out *output.Output, path string) (shown string, closeLog func()) {
	if path == "" {
		return "", func() {}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		out.Warn(fmt.Sprintf("no log file: %v; pass --log FILE, or --log - for none", err))
		return "", func() {}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		out.Warn(fmt.Sprintf("no log file: %v; pass --log FILE, or --log - for none", err))
		return "", func() {}
	}
	out.AddLog(f)
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, path); err == nil && !filepath.IsAbs(rel) && rel[0] != '.' {
			path = rel
		}
	}
	return path, func() { f.Close() }
}

// whoami names the user in the log's header.
func whoami(env func(string) string) string {
	if u := env("USER"); u != "" {
		return u
	}
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return "unknown"
}
