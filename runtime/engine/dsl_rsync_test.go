package engine

import "testing"

// A host's directory under ~/ is relative to the home rsync's server
// starts in; no other directory changes, and ~ alone or ~/ is the home
// itself, never the root.
func TestInHome(t *testing.T) {
	tests := []struct{ dir, want string }{
		{"~/app", "app"},
		{"~//app/", "app/"},
		{"~", "."},
		{"~/", "."},
		{"~//", "."},
		{"/var/www/~/app", "/var/www/~/app"},
		{"~user/app", "~user/app"},
		{"~app", "~app"},
		{"rel/app", "rel/app"},
	}
	for _, tt := range tests {
		if got := inHome(tt.dir); got != tt.want {
			t.Errorf("inHome(%q) = %q, want %q", tt.dir, got, tt.want)
		}
	}
}
