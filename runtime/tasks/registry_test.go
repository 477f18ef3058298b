package tasks

import (
	"strings"
	"testing"
)

func body(s string) any { return s }

func newDeployRegistry(t *testing.T) *Registry {
	t.Helper()
	r := NewRegistry()
	r.Define(&Task{Name: "deploy", Desc: "Deploys", Steps: []string{"deploy:update", "deploy:restart"}, Where: "deploy.lua:1"})
	r.Define(&Task{Name: "deploy:update", Opts: Options{Transaction: true}, Steps: []string{"deploy:update_code", "deploy:symlink"}})
	r.Define(&Task{Name: "deploy:update_code", Body: body("code")})
	r.Define(&Task{Name: "deploy:finalize_update", Body: body("finalize")})
	r.Define(&Task{Name: "deploy:symlink", Body: body("symlink")})
	r.Define(&Task{Name: "deploy:restart"})
	r.Define(&Task{Name: "deploy:migrate", Body: body("migrate")})
	r.Define(&Task{Name: "deploy:migrations", Steps: []string{"deploy:update_code", "deploy:migrate", "deploy:symlink", "deploy:restart"}})
	if err := r.Alias("deploy:symlink", "deploy:create_symlink"); err != nil {
		t.Fatal(err)
	}
	r.After("deploy:update_code", Hook{Task: "deploy:finalize_update", Where: "deploy.lua:9"})
	return r
}

func TestOverrideKeepsHooksAndDesc(t *testing.T) {
	r := newDeployRegistry(t)
	r.Before("deploy:restart", Hook{Fn: body("notify"), Where: "Deployfile.lua:3"})
	r.Define(&Task{Name: "deploy:restart", Body: body("passenger"), Where: "Deployfile.lua:7"})
	r.Define(&Task{Name: "deploy", Steps: []string{"deploy:update"}})
	tk, _ := r.Lookup("deploy:restart")
	if tk.Body != "passenger" {
		t.Errorf("body = %v, want the override", tk.Body)
	}
	if before, _ := r.Hooks("deploy:restart"); len(before) != 1 {
		t.Errorf("override dropped the hooks: %v", before)
	}
	if d, _ := r.Lookup("deploy"); d.Desc != "Deploys" {
		t.Errorf("desc = %q, want the old one kept", d.Desc)
	}
}

func TestClearDropsBodyAndHooks(t *testing.T) {
	r := newDeployRegistry(t)
	r.Clear("deploy:update_code")
	tk, _ := r.Lookup("deploy:update_code")
	if tk.Body != nil {
		t.Error("body survived clear")
	}
	if _, after := r.Hooks("deploy:update_code"); len(after) != 0 {
		t.Error("hooks survived clear")
	}
}

func TestAliasSharesHooks(t *testing.T) {
	r := newDeployRegistry(t)
	r.After("deploy:create_symlink", Hook{Task: "deploy:restart", Where: "x:1"})
	if _, after := r.Hooks("deploy:symlink"); len(after) != 1 {
		t.Errorf("hook through alias not on the task: %v", after)
	}
	if tk, ok := r.Lookup("deploy:create_symlink"); !ok || tk.Name != "deploy:symlink" {
		t.Error("alias does not resolve")
	}
	if err := r.Alias("deploy:create_symlink", "deploy:symlink"); err == nil {
		t.Error("alias loop accepted")
	}
}

func TestUnknownAndCheck(t *testing.T) {
	r := newDeployRegistry(t)
	tests := []struct{ name, want string }{
		{"deploy:restrat", `task "deploy:restrat" does not exist. Did you mean "deploy:restart"?`},
		{"deploy:symlnk", `task "deploy:symlnk" does not exist. Did you mean "deploy:symlink"?`},
		{"zzz", `task "zzz" does not exist; luacap -T lists the tasks`},
	}
	for _, tt := range tests {
		if got := r.Unknown(tt.name).Error(); got != tt.want {
			t.Errorf("Unknown(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
	if err := r.Check(); err != nil {
		t.Fatalf("Check on a sound registry: %v", err)
	}
	r.Before("deploy:updte", Hook{Task: "deploy:restart", Where: "Deployfile.lua:4"})
	err := r.Check()
	want := `Deployfile.lua:4: hook names unknown task "deploy:updte" (did you mean "deploy:update"?)`
	if err == nil || err.Error() != want {
		t.Errorf("Check = %v, want %q", err, want)
	}
}

func TestExplain(t *testing.T) {
	r := newDeployRegistry(t)
	r.Before("deploy", Hook{Fn: body("f"), Where: "Deployfile.lua:20"})
	r.After("deploy:symlink", Hook{Task: "deploy:restart", Where: "Deployfile.lua:21"})
	got, err := r.Explain("deploy")
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"deploy",
		"  [before] function at Deployfile.lua:20",
		"  deploy:update  [transaction]",
		"    deploy:update_code",
		"      [after] deploy:finalize_update",
		"    deploy:symlink",
		"      [after] deploy:restart  (empty)",
		"  deploy:restart  (already run)",
		"",
	}, "\n")
	if got != want {
		t.Errorf("Explain(deploy) =\n%s\nwant\n%s", got, want)
	}
	if _, err := r.Explain("nope"); err == nil {
		t.Error("Explain of an unknown task gave no error")
	}
}
