package engine

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/output"
	"github.com/luacap/luacap/stdlib"
)

// exitOf is the exit code the CLI gives err (cmd/luacap/exit.go): 2 for
// usage and Deployfile errors, 1 for a failed task.
func exitOf(err error) int {
	var load *LoadError
	var usage *UsageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &load), errors.As(err, &usage):
		return 2
	}
	return 1
}

func filter(hosts, roles []string) setup {
	return func(o *Options) { o.Filter = host.Filter{Hosts: hosts, Roles: roles} }
}

// verbose sends the output, verbose notes included, to b.
func verbose(b *strings.Builder) setup {
	return func(o *Options) {
		o.Out = output.New(b, output.Options{Level: output.Verbose, Now: func() time.Time { return fixedNow }})
	}
}

// marks records in trace every task that runs, and what its commands
// would reach: each task appends its name, then runs on its hosts.
const marks = `
task("a", function() table.insert(trace, "a") end)
task("deploy", { "a", "b" })
`

// Every class of run that would reach no host fails with a message that
// names what is wrong, with the exit code the brief gives it, and runs
// nothing: not even the tasks before the one at fault.
func TestZeroHostRunsFail(t *testing.T) {
	stages := `
stage("staging", function() server("s1", { transport = "local", roles = { "web" } }) end)
stage("production", function() server("p1", { transport = "local", roles = { "web" } }) end)
task("b", function() table.insert(trace, "b"); run("true") end)`
	tests := []struct {
		name, src string
		setups    []setup
		run       []string
		exit      int
		want      string // the whole error, DIR for the test directory
	}{
		{"stage forgotten", stages, nil, []string{"deploy"}, 2,
			"no stage given: luacap STAGE TASK; the stages are staging, production"},
		{"stage misspelt", stages, nil, []string{"prodution", "deploy"}, 2,
			`no stage given: luacap STAGE TASK; the stages are staging, production (did you mean "production" rather than "prodution"?)`},
		{"--hosts matches none", localHosts + `task("b", function() table.insert(trace, "b") end)`,
			[]setup{filter([]string{"web9", "db*"}, nil)}, []string{"deploy"}, 2,
			"no server matches --hosts web9,db* (the flags, or $HOSTS and $ROLES); the servers are h1 (web, app); h2 (web); h3 (db)"},
		{"--roles matches none", localHosts + `task("b", function() table.insert(trace, "b") end)`,
			[]setup{filter(nil, []string{"wbe"})}, []string{"deploy"}, 2,
			"no server matches --roles wbe (the flags, or $HOSTS and $ROLES); the servers are h1 (web, app); h2 (web); h3 (db)"},
		{"--hosts and --roles together match none", localHosts + `task("b", function() table.insert(trace, "b") end)`,
			[]setup{filter([]string{"h1"}, []string{"db"})}, []string{"deploy"}, 2,
			"no server matches --hosts h1 --roles db (the flags, or $HOSTS and $ROLES); the servers are h1 (web, app); h2 (web); h3 (db)"},
		{"--hosts not a glob", localHosts + `task("b", function() table.insert(trace, "b") end)`,
			[]setup{filter([]string{"h[1"}, nil)}, []string{"deploy"}, 2,
			`--hosts "h[1" is not a valid glob (syntax error in pattern); write * ? [a-z] in full, or the server's name`},
		{"task option names an unknown role", localHosts + `task("b", { roles = "wbe" }, function() table.insert(trace, "b") end)`,
			nil, []string{"deploy"}, 2,
			`DIR/Deployfile.lua:9: task b: no server plays role "wbe"; the roles are web, app, db (did you mean "web"?)`},
		{"hook task names an unknown role", localHosts + `task("b", function() end)
task("notify", { roles = { "web", "worker" } }, function() table.insert(trace, "notify") end)
after("b", "notify")`,
			nil, []string{"deploy"}, 2,
			`DIR/Deployfile.lua:10: task notify: no server plays role "worker"; the roles are web, app, db`},
		{"task option hosts not a glob", localHosts + `task("b", { hosts = "h[" }, function() end)`,
			nil, []string{"deploy"}, 2,
			`DIR/Deployfile.lua:9: task b: hosts "h[" is not a valid glob (syntax error in pattern); write * ? [a-z] in full, or the server's name`},
		{"roles() names an unknown role", localHosts + `task("b", function() on(roles("wbe"), function() table.insert(trace, "b") end) end)`,
			nil, []string{"deploy"}, 1,
			`task b failed: DIR/Deployfile.lua:9: roles(): no server plays role "wbe"; the roles are web, app, db (did you mean "web"?)`},
		{"on() names an unknown role", localHosts + `task("b", function() on("dbb", function() table.insert(trace, "b") end) end)`,
			nil, []string{"deploy"}, 1,
			`task b failed: DIR/Deployfile.lua:9: on(): "dbb" is neither a role nor a declared server; the servers are h1, h2, h3 and the roles web, app, db (did you mean "db"?)`},
		{"invoke() reaches a task with an unknown role", localHosts + `task("b", function() invoke("c") end)
task("c", { roles = "wbe" }, function() table.insert(trace, "c") end)`,
			nil, []string{"deploy"}, 1,
			`task c failed: DIR/Deployfile.lua:10: task c: no server plays role "wbe"; the roles are web, app, db (did you mean "web"?)`},
		{"no server: run()", `task("b", function() run("true") end)`, nil, []string{"deploy"}, 1,
			"task b failed: DIR/Deployfile.lua:5: the command has no host to run on: no server is declared; declare the servers with server(name, { roles = {...} }) in DIR/Deployfile.lua"},
		{"no server: on(roles(\"all\"))", `task("b", function() on(roles("all"), function() end) end)`, nil, []string{"deploy"}, 1,
			"task b failed: DIR/Deployfile.lua:5: on(): the block has no host to run on: no server is declared; declare the servers with server(name, { roles = {...} }) in DIR/Deployfile.lua"},
		{"no server: capture()", `task("b", function() capture("hostname") end)`, nil, []string{"deploy"}, 1,
			`task b failed: DIR/Deployfile.lua:5: capture(): "hostname" has no host to run on: no server is declared; declare the servers with server(name, { roles = {...} }) in DIR/Deployfile.lua`},
		{"no server: a task's role", `task("b", { roles = "web" }, function() end)`, nil, []string{"deploy"}, 2,
			`DIR/Deployfile.lua:5: task b: no server plays role "web": no server is declared; declare the servers with server(name, { roles = {...} }) in DIR/Deployfile.lua`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := load(t, marks+tt.src, tt.setups...)
			err := r.run(tt.run...)
			if got := r.errText(err); got != tt.want {
				t.Errorf("error:\n%s\nwant:\n%s", got, tt.want)
			}
			if code := exitOf(err); code != tt.exit {
				t.Errorf("exit %d, want %d", code, tt.exit)
			}
			if tt.exit == 2 && len(r.trace()) > 0 {
				t.Errorf("tasks ran before the refusal: %v", r.trace())
			}
			if strings.Contains(r.out.String(), "$ ") {
				t.Errorf("a command ran:\n%s", r.out)
			}
		})
	}
}

// What the checks must let through: a stage given, a filter that leaves
// hosts, roles("all"), primary() of a role no host has, a task with no
// hosts' commands when no server is declared.
func TestZeroHostChecksLetRealRunsThrough(t *testing.T) {
	r := load(t, `
stage("production", function() server("p1", { transport = "local", roles = { "web" } }) end)
task("x", function()
  table.insert(trace, #roles("all") .. " " .. #roles("web") .. " " .. tostring(primary("db")))
end)`)
	if err := r.e.UseStage("production"); err != nil {
		t.Fatal(err)
	}
	r.mustRun(t, "x")
	wantTrace(t, r, "1 1 nil")

	r = load(t, `task("local", function() table.insert(trace, run_locally("echo here")) end)`)
	r.mustRun(t, "local")
	wantTrace(t, r, "here")
}

// A role whose hosts the filter leaves out gives roles() an empty list,
// and a task on that role is skipped with a verbose note, while the
// tasks around it run on the hosts that are left.
func TestFilteredOutTaskIsSkipped(t *testing.T) {
	var b strings.Builder
	r := load(t, localHosts+`
task("db", { roles = "db" }, function() table.insert(trace, "db body"); run("echo db") end)
before("db", function() table.insert(trace, "db hook") end)
task("web", { roles = "web" }, function()
  table.insert(trace, "web " .. #roles("db"))
  run("echo web")
end)`, filter(nil, []string{"web"}), verbose(&b))
	r.mustRun(t, "db", "web")
	wantTrace(t, r, "web 0")
	out := b.String()
	if !strings.Contains(out, "skip db: --roles web leaves out every host it runs on") {
		t.Errorf("no skip note:\n%s", out)
	}
	if strings.Count(out, "$ echo web") != 2 || strings.Contains(out, "$ echo db") {
		t.Errorf("want echo web on h1 and h2 and no echo db:\n%s", out)
	}
}

// release_name is refused before anything runs whether -s, the
// Deployfile or a lazy value sets it; good names run.
func TestReleaseNameChecked(t *testing.T) {
	hostile := []string{"", ".", "..", "a/b", "../shared", "-x", " x", "x y", "a;b", "$(touch /tmp/x)",
		"r\u00e9l", strings.Repeat("a", 65), "x\ny", "true"}
	body := localHosts + `task("x", function() table.insert(trace, fetch("release_name")); run("true") end)`
	for _, name := range hostile {
		t.Run("-s "+name, func(t *testing.T) {
			r := load(t, body, overrides(map[string]string{"release_name": name}))
			err := r.run("x")
			reason := stdlib.ReleaseNameProblem(name)
			if name == "true" { // -s makes it a boolean
				reason = "it is a boolean, not a string"
			}
			want := "release_name " + strconv.Quote(name) + " is not a valid release name: " + reason + "; " + stdlib.ReleaseNameRule
			if got := r.errText(err); got != want || exitOf(err) != 2 {
				t.Errorf("error (exit %d):\n%s\nwant (exit 2):\n%s", exitOf(err), got, want)
			}
			if len(r.trace()) > 0 || strings.Contains(r.out.String(), "$ ") {
				t.Errorf("the task ran: %v\n%s", r.trace(), r.out)
			}
		})
	}
	for _, src := range []string{`set("release_name", "../shared")`, `set("release_name", function() return "" end)`} {
		r := load(t, src+"\n"+body)
		if err := r.run("x"); exitOf(err) != 2 || !strings.Contains(r.errText(err), "is not a valid release name") {
			t.Errorf("%s: error = %v, want the release name refused", src, err)
		}
	}
	for _, name := range []string{"20260101000001", "v1.2_rc-3"} {
		r := load(t, body, overrides(map[string]string{"release_name": name}))
		r.mustRun(t, "x")
		wantTrace(t, r, name)
	}
	r := load(t, `set("release_name", 20260101000001)`+"\n"+body)
	r.mustRun(t, "x")
	wantTrace(t, r, "20260101000001")
}
