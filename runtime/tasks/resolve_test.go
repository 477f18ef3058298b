package tasks

import "testing"

func namesRegistry(t *testing.T, names ...string) *Registry {
	t.Helper()
	r := NewRegistry()
	for _, n := range names {
		r.Define(&Task{Name: n, Body: body(n)})
	}
	return r
}

func TestResolveInnermostNamespaceFirst(t *testing.T) {
	r := namesRegistry(t, "restart", "deploy:restart", "cleanup", "deploy:assets:backup", "deploy:backup", "backup", "deploy:symlink")
	if err := r.Alias("deploy:symlink", "deploy:symlink:release"); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, scope, want string }{
		{"restart", "", "restart"},
		{"restart", "deploy", "deploy:restart"},
		{"restart", "deploy:assets", "deploy:restart"},
		{"cleanup", "deploy", "cleanup"},
		{"backup", "deploy:assets", "deploy:assets:backup"},
		{"backup", "deploy", "deploy:backup"},
		{"backup", "db", "backup"},
		{"deploy:restart", "deploy", "deploy:restart"},
		{"symlink:release", "deploy", "deploy:symlink"},
		{"assets:backup", "deploy", "deploy:assets:backup"},
		{"nothing", "deploy", ""},
	}
	for _, tt := range tests {
		got, ok := r.Resolve(tt.name, tt.scope)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("Resolve(%q, %q) = %q, %v; want %q", tt.name, tt.scope, got, ok, tt.want)
		}
	}
}

func TestScopeOf(t *testing.T) {
	for name, want := range map[string]string{"deploy": "", "deploy:check": "deploy", "deploy:check:copy_source": "deploy:check"} {
		if got := ScopeOf(name); got != want {
			t.Errorf("ScopeOf(%q) = %q, want %q", name, got, want)
		}
	}
}

// The suggestion is a plausible typo of the name as written, or nothing:
// the namespace both share earns no allowance, and at equal distance the
// namespace the name is in wins.
func TestClosestSuggestsOnlyNearNamesPreferringTheNamespace(t *testing.T) {
	r := namesRegistry(t, "deploy", "deploy:reverted", "deploy:reverting", "deploy:lock", "deploy:restart",
		"deploy:rollback", "deploy:rollback:cleanup", "deploy:cleanup", "db:seeds", "adb:seed")
	tests := []struct{ name, scope, want string }{
		{"deploy:reverte", "", "deploy:reverted"},
		{"deploy:revertin", "", "deploy:reverting"},
		{"deploy:revert_release", "", ""},
		{"deploy:foo", "", ""},
		{"deploy:new_release_path", "", ""},
		{"deploy:rollbak", "", "deploy:rollback"},
		{"depoly:restart", "", "deploy:restart"},
		{"restat", "deploy", "deploy:restart"},
		{"cleanp", "deploy:rollback", "deploy:rollback:cleanup"},
		{"db:seed", "", "db:seeds"},
		{"zzz", "deploy", ""},
	}
	for _, tt := range tests {
		if got := r.closestIn(tt.name, tt.scope); got != tt.want {
			t.Errorf("closestIn(%q, %q) = %q, want %q", tt.name, tt.scope, got, tt.want)
		}
	}
}

func TestUnknownInNamesWhereItLooked(t *testing.T) {
	r := namesRegistry(t, "deploy:restart")
	tests := []struct{ name, scope, want string }{
		{"restat", "deploy", `task "restat" does not exist (looked for deploy:restat, restat). Did you mean "deploy:restart"?`},
		{"zzz", "deploy:assets", `task "zzz" does not exist (looked for deploy:assets:zzz, deploy:zzz, zzz); luacap -T lists the tasks`},
		{"deploy:restat", "", `task "deploy:restat" does not exist. Did you mean "deploy:restart"?`},
	}
	for _, tt := range tests {
		if got := r.UnknownIn(tt.name, tt.scope).Error(); got != tt.want {
			t.Errorf("UnknownIn(%q, %q) = %s\nwant %s", tt.name, tt.scope, got, tt.want)
		}
	}
}

// A hook written in a namespace binds, as in Rake, to the task its name
// means when before() or after() runs; one on a task defined later in
// the file attaches once it is; one on a name no task has is reported by
// Check with where it looked.
func TestHooksInANamespace(t *testing.T) {
	r := namesRegistry(t, "restart", "app:restart")
	r.After("restart", Hook{Fn: body("f"), Where: "Deployfile.lua:3", Scope: "app"})
	r.After("build", Hook{Fn: body("g"), Where: "Deployfile.lua:4", Scope: "app"})
	r.After("restrat", Hook{Fn: body("h"), Where: "Deployfile.lua:5", Scope: "app"})
	r.Define(&Task{Name: "app:build", Body: body("build")})
	err := r.Check()
	want := `Deployfile.lua:5: hook names unknown task "restrat" (looked for app:restrat, restrat; did you mean "app:restart"?)`
	if err == nil || err.Error() != want {
		t.Errorf("Check = %v\nwant %s", err, want)
	}
	for task, want := range map[string]string{"app:restart": "Deployfile.lua:3", "app:build": "Deployfile.lua:4", "restart": ""} {
		_, after := r.Hooks(task)
		got := ""
		for _, h := range after {
			got += h.Where
		}
		if got != want {
			t.Errorf("hooks after %s: %q, want %q", task, got, want)
		}
	}
}

// --explain shows the tasks relative names resolve to.
func TestExplainResolvesRelativeNames(t *testing.T) {
	r := namesRegistry(t, "restart", "notify", "deploy:restart", "deploy:notify")
	r.Define(&Task{Name: "deploy:go", Steps: []string{"restart"}})
	r.After("go", Hook{Task: "notify", Where: "Deployfile.lua:2", Scope: "deploy"})
	got, err := r.Explain("deploy:go")
	want := "deploy:go\n  deploy:restart\n  [after] deploy:notify\n"
	if err != nil || got != want {
		t.Errorf("Explain = %q, %v; want %q", got, err, want)
	}
}
