package command

import "testing"

func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "''"},
		{"plain", "plain"},
		{"/var/www/app-1.2", "/var/www/app-1.2"},
		{"two words", "'two words'"},
		{"it's", `'it'\''s'`},
		{"$HOME", "'$HOME'"},
		{"a;rm -rf /", "'a;rm -rf /'"},
		{"`x`", "'`x`'"},
	}
	for _, tt := range tests {
		if got := Quote(tt.in); got != tt.want {
			t.Errorf("Quote(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestJoin(t *testing.T) {
	got := Join([]string{"git", "clone", "git@host:a b.git", "it's"})
	want := `git clone 'git@host:a b.git' 'it'\''s'`
	if got != want {
		t.Errorf("Join = %q, want %q", got, want)
	}
}

func TestBuild(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
		want string
	}{
		{"bare", Spec{Cmd: "ls -la"}, "ls -la"},
		{"within", Spec{Dir: "/var/www/my app", Cmd: "ls"}, "cd -- '/var/www/my app' && ls"},
		{"within a directory that looks like an option", Spec{Dir: "-P", Cmd: "ls"}, "cd -- -P && ls"},
		{"with", Spec{Env: []EnvVar{{"RAILS_ENV", "production"}, {"MSG", "it's"}}, Cmd: "rake db:migrate"},
			`export RAILS_ENV=production MSG='it'\''s'; rake db:migrate`},
		{"as", Spec{User: "deploy", Cmd: "whoami"}, "sudo -u deploy -- sh -c whoami"},
		{"as with env and dir", Spec{Dir: "/srv", User: "app", Env: []EnvVar{{"A", "1"}}, Cmd: "echo $A"},
			`cd -- /srv && sudo -u app -- sh -c 'export A=1; echo $A'`},
		{"sudo", Spec{Sudo: true, Cmd: "systemctl restart app"}, "sudo -- sh -c 'systemctl restart app'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Build(tt.spec); got != tt.want {
				t.Errorf("Build() =\n  %s\nwant\n  %s", got, tt.want)
			}
		})
	}
}

func TestValidEnvName(t *testing.T) {
	for name, want := range map[string]bool{"RAILS_ENV": true, "_x1": true, "": false, "1A": false, "A-B": false, "A B": false} {
		if got := ValidEnvName(name); got != want {
			t.Errorf("ValidEnvName(%q) = %v, want %v", name, got, want)
		}
	}
}
