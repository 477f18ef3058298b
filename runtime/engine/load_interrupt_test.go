package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/luacap/luacap/runtime/output"
)

// spin marks that the Lua code is running, then never ends.
const spin = `io.open(fetch("dir") .. "/spinning", "w"):close(); while true do end`

// An endless loop while loading (the Deployfile, a stage block, a stage
// file) stops at the first signal, as an interrupt.
func TestLoadingIsInterruptible(t *testing.T) {
	tests := []struct {
		name       string
		deployfile string
		stageFile  string // deploy/prod.lua, if any
		loading    string // what the error says was loading
	}{
		{"the Deployfile", spin, "", "Deployfile.lua"},
		{"a stage block", `stage("prod", function() ` + spin + ` end)`, "", "stage prod"},
		{"a stage file", `stage("prod", function() end)`, spin, "deploy/prod.lua"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, filepath.Join(dir, "Deployfile.lua"), tt.deployfile)
			if tt.stageFile != "" {
				write(t, filepath.Join(dir, "deploy", "prod.lua"), tt.stageFile)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			e, err := New(Options{Out: output.New(&strings.Builder{}, output.Options{}), Ctx: ctx})
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			e.p.Vars.Set("dir", lua.LString(dir))
			go func() {
				waitForPath(filepath.Join(dir, "spinning"))
				cancel()
			}()
			err = e.LoadFile(filepath.Join(dir, "Deployfile.lua"))
			if err == nil {
				err = e.UseStage("prod")
			}
			var intr *Interrupted
			if !errors.As(err, &intr) {
				t.Fatalf("error = %v, want an interrupt", err)
			}
			if got := strings.ReplaceAll(err.Error(), dir+"/", ""); got != "interrupted while loading "+tt.loading {
				t.Errorf("error = %q, want it to name %s", got, tt.loading)
			}
		})
	}
}

// waitForPath returns once path exists; the test's own timeout bounds it.
func waitForPath(path string) {
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// fetch("stage") is the stage chosen, so recipes can name it in hints;
// without a stage it is not set at all.
func TestStageIsSetOnlyWhenChosen(t *testing.T) {
	const x = `server("h1", { transport = "local" })
task("x", function() table.insert(trace, fetch("stage", "(none)")) end)`
	tests := []struct{ src, stage, want string }{
		{`stage("production", function() end)` + "\n" + x, "production", "production"},
		{x, "", "(none)"},
	}
	for _, tt := range tests {
		r := load(t, tt.src)
		if tt.stage != "" {
			if err := r.e.UseStage(tt.stage); err != nil {
				t.Fatal(err)
			}
		}
		r.mustRun(t, "x")
		wantTrace(t, r, tt.want)
	}
}
