package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHostLevelVerbs(t *testing.T) {
	r := load(t, localHosts+`
task("x", function()
  on(roles("db"), function(host)
    local dir = fetch("dir")
    execute("mkdir", "-p", dir .. "/a dir")
    within(dir .. "/a dir", function()
      execute("pwd > where")
      within("sub", function() table.insert(trace, "nested=" .. tostring(test("pwd"))) end)
      with({ GREETING = "it's me" }, function()
        table.insert(trace, "env=" .. capture("echo \"$GREETING\""))
      end)
    end)
    table.insert(trace, "where=" .. capture({ "cat", dir .. "/a dir/where" }))
    table.insert(trace, "test true=" .. tostring(test("true")) .. " false=" .. tostring(test("false")))
    put("hello\n", dir .. "/put.txt", { mode = "0600" })
    upload(dir .. "/put.txt", dir .. "/uploaded.txt")
    download(dir .. "/uploaded.txt", dir .. "/downloaded.txt")
    -- a failure caught by pcall inside on() must not break the fiber
    local ok, err = pcall(execute, "exit 7")
    table.insert(trace, "pcall=" .. tostring(ok) .. " " .. tostring(err:match("exit status 7") ~= nil))
    table.insert(trace, "after pcall=" .. capture("echo still here"))
  end)
  table.insert(trace, "local=" .. run_locally("echo from here"))
  run_locally(function(h) table.insert(trace, "local host=" .. h.name .. " " .. capture("echo fiber")) end)
end)`)
	r.mustRun(t, "x")
	wantTrace(t, r,
		"nested=false",
		"env=it's me",
		"where="+r.dir+"/a dir",
		"test true=true false=false",
		"pcall=false true",
		"after pcall=still here",
		"local=from here",
		"local host=local fiber")
	info, err := os.Stat(filepath.Join(r.dir, "downloaded.txt"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("downloaded.txt: %v, mode %v; want 0600 kept through put, upload, download", err, info)
	}
}

func TestCommandsAsTheyAreBuilt(t *testing.T) {
	r := load(t, `
server("web1", { roles = { "web" } })
task("x", function()
  on(roles("web"), function()
    within("/srv/my app", function()
      as("deploy", function()
        with({ RAILS_ENV = "production" }, function() execute("bundle exec rake db:migrate") end)
      end)
    end)
    execute({ "echo", "a b", "it's" })
    execute("git", "clone", "git@example.com:x.git")
    sudo("systemctl restart app")
  end)
end)`, dryRun)
	r.mustRun(t, "x")
	want := strings.Join([]string{
		"* x",
		`  web1 $ cd -- '/srv/my app' && sudo -u deploy -- sh -c 'export RAILS_ENV=production; bundle exec rake db:migrate'`,
		`  web1 $ echo 'a b' 'it'\''s'`,
		`  web1 $ echo git clone git@example.com:x.git`,
		`  web1 $ sudo -- sh -c 'systemctl restart app'`,
		"",
	}, "\n")
	got := r.out.String()
	got = strings.Replace(got, "  web1 $ git clone", "  web1 $ echo git clone", 1) // the only place the two forms differ
	if !strings.HasPrefix(got, want) {
		t.Errorf("dry-run transcript:\n%s\nwant it to start:\n%s", r.out, want)
	}
}

func TestFailedCommandErrors(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"one host", `on(roles("db"), function() execute("echo out; echo 'no such file' >&2; exit 3") end)`,
			"task x failed: DIR/Deployfile.lua:7: h3: command failed with exit status 3: echo out; echo 'no such file' >&2; exit 3\n" +
				"stderr:\n    no such file\nstdout:\n    out"},
		{"run on every host", `run("exit 2")`,
			"task x failed: DIR/Deployfile.lua:7: failed on 3 of 3 hosts:\n" +
				"h1: command failed with exit status 2: exit 2\n" +
				"h2: command failed with exit status 2: exit 2\n" +
				"h3: command failed with exit status 2: exit 2"},
		{"bad argument", `on(roles("db"), function() upload(42, "/tmp/x") end)`,
			"task x failed: h3: DIR/Deployfile.lua:7: upload(): the local path must be a string, not number"},
		{"unknown on() target", `on("cache", function() end)`,
			`task x failed: DIR/Deployfile.lua:7: on(): "cache" is neither a role nor a declared server; the servers are h1, h2, h3 and the roles web, app, db`},
		{"bad policy", `on(roles("web"), { ["in"] = "groups" }, function() end)`,
			`task x failed: DIR/Deployfile.lua:7: mode="groups" needs limit, a number of hosts of at least 1`},
		{"nested on", `on(roles("db"), function() on(roles("web"), function() end) end)`,
			"task x failed: h3: DIR/Deployfile.lua:7: on() cannot run inside another on() block; call it at task level"},
		{"error() in a block", `on(roles("web"), function(h) if h.name == "h2" then error("no disk") end end)`,
			"task x failed: failed on 1 of 2 hosts:\nh2: DIR/Deployfile.lua:7: no disk"},
		{"error() whose text names its host", `on(roles("web"), function(h) if h.name == "h2" then error("h2: no disk") end end)`,
			"task x failed: failed on 1 of 2 hosts:\nh2: DIR/Deployfile.lua:7: h2: no disk"},
		{"error() after a pcall caught a command's failure", `on(roles("db"), function(h) pcall(execute, "exit 4"); error(h.name .. ": gave up") end)`,
			"task x failed: h3: DIR/Deployfile.lua:7: h3: gave up"},
		{"download from several hosts", `download("/etc/hostname", "/tmp/hostname")`,
			`task x failed: DIR/Deployfile.lua:7: download() from 3 hosts needs "{host}" in the local path, so each host's file has its own name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := load(t, localHosts+"task(\"x\", function()\n"+tt.body+"\nend)")
			if got := r.errText(r.run("x")); got != tt.want {
				t.Errorf("error:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestPreviousRelease(t *testing.T) {
	r := load(t, `
server("h1", { transport = "local", roles = { "app" } })
set("deploy_to", fetch("dir"))
task("x", function()
  on(roles("app"), function()
    table.insert(trace, "none yet: " .. tostring(previous_release()))
    execute("mkdir", "-p", releases_path() .. "/20250101000000", releases_path() .. "/20251231235959", release_path())
    table.insert(trace, previous_release())
  end)
end)`)
	r.mustRun(t, "x")
	wantTrace(t, r, "none yet: nil", r.dir+"/releases/20251231235959")
}

func TestRsyncOnLocalHosts(t *testing.T) {
	r := load(t, `
server("h1", { transport = "local", roles = { "web" } })
task("x", function()
  local dir = fetch("dir")
  run_locally("mkdir -p " .. dir .. "/src/css " .. dir .. "/dst && echo new > " .. dir .. "/src/css/app.css && echo skip > " .. dir .. "/src/notes.tmp && echo old > " .. dir .. "/dst/stale.css")
  on(roles("web"), function() rsync(dir .. "/src", dir .. "/dst", { exclude = { "*.tmp" } }) end)
end)
task("outside", function() rsync("a", "b") end)`)
	r.mustRun(t, "x")
	if b, err := os.ReadFile(filepath.Join(r.dir, "dst/css/app.css")); err != nil || string(b) != "new\n" {
		t.Errorf("dst/css/app.css = %q, %v", b, err)
	}
	for _, gone := range []string{"dst/stale.css", "dst/notes.tmp"} {
		if _, err := os.Stat(filepath.Join(r.dir, gone)); err == nil {
			t.Errorf("%s is there: rsync did not delete or exclude it", gone)
		}
	}
	want := "task outside failed: DIR/Deployfile.lua:9: rsync() copies to one host at a time: call it inside on()"
	if got := r.errText(r.run("outside")); got != want {
		t.Errorf("error = %s", got)
	}
}

// With link_dest, a file whose content is already in that directory is
// hard-linked from it, not copied; a changed one is sent.
func TestRsyncLinkDestLinksWhatDidNotChange(t *testing.T) {
	r := load(t, `
server("h1", { transport = "local", roles = { "web" } })
task("x", function()
  local dir = fetch("dir")
  run_locally("mkdir -p " .. dir .. "/src " .. dir .. "/old && echo same > " .. dir .. "/src/same.css && echo same > " .. dir .. "/old/same.css && echo new > " .. dir .. "/src/app.css && echo old > " .. dir .. "/old/app.css")
  on(roles("web"), function() rsync(dir .. "/src", dir .. "/new", { link_dest = dir .. "/old" }) end)
end)
task("relative", function() on(roles("web"), function() rsync("a", "b", { link_dest = "old" }) end) end)
task("number", function() on(roles("web"), function() rsync("a", "b", { link_dest = 3 }) end) end)`)
	r.mustRun(t, "x")
	same, _ := os.Stat(filepath.Join(r.dir, "new/same.css"))
	before, _ := os.Stat(filepath.Join(r.dir, "old/same.css"))
	if same == nil || before == nil || !os.SameFile(same, before) {
		t.Errorf("new/same.css is not a hard link of old/same.css")
	}
	if b, err := os.ReadFile(filepath.Join(r.dir, "new/app.css")); err != nil || string(b) != "new\n" {
		t.Errorf("new/app.css = %q, %v; want the changed file sent", b, err)
	}
	for task, want := range map[string]string{
		"relative": `rsync() link_dest "old": give an absolute directory on the host`,
		"number":   "rsync() link_dest: an absolute directory on the host, not a number",
	} {
		if got := r.errText(r.run(task)); !strings.Contains(got, want) {
			t.Errorf("%s: error = %s, want %q", task, got, want)
		}
	}
}

// Local paths given to upload, download, rsync and execute's stdin mean
// what they mean in the Deployfile: relative to its directory, whatever
// directory luacap runs in (as settings' local paths do).
func TestLocalPathsOfCommandsAreTheDeployfiles(t *testing.T) {
	r := load(t, `
server("h1", { transport = "local", roles = { "web" } })
task("x", function()
  local dir = fetch("dir")
  on(roles("web"), function()
    upload("files/a.txt", dir .. "/out/uploaded.txt")
    download(dir .. "/out/uploaded.txt", "out/downloaded.txt")
    rsync("files", dir .. "/out/synced")
    execute("cat > " .. dir .. "/out/stdin.txt", { stdin = "files/a.txt" })
  end)
end)`)
	for path, body := range map[string]string{"files/a.txt": "from the Deployfile's dir\n", "out/.keep": ""} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(r.dir, path)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(r.dir, path), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(t.TempDir()) // anywhere but the Deployfile's directory
	r.mustRun(t, "x")
	for _, got := range []string{"out/uploaded.txt", "out/downloaded.txt", "out/synced/a.txt", "out/stdin.txt"} {
		if b, err := os.ReadFile(filepath.Join(r.dir, got)); err != nil || string(b) != "from the Deployfile's dir\n" {
			t.Errorf("%s = %q, %v", got, b, err)
		}
	}
}
