package host

import (
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in             string
		user, hostname string
		port           int
		err            string
	}{
		{in: "web1.example.com", hostname: "web1.example.com"},
		{in: "deploy@web1", user: "deploy", hostname: "web1"},
		{in: "deploy@web1:2222", user: "deploy", hostname: "web1", port: 2222},
		{in: "[::1]:22", hostname: "::1", port: 22},
		{in: "web1:http", err: `server "web1:http": port "http" is not a number from 1 to 65535`},
		{in: "deploy@", err: `server "deploy@" has no hostname`},
	}
	for _, tt := range tests {
		h, err := Parse(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("Parse(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.in, err)
		}
		if h.User != tt.user || h.Hostname != tt.hostname || h.Port != tt.port {
			t.Errorf("Parse(%q) = %q %q %d", tt.in, h.User, h.Hostname, h.Port)
		}
	}
}

func names(hosts []*Host) []string {
	var out []string
	for _, h := range hosts {
		out = append(out, h.Name)
	}
	return out
}

func testSet(t *testing.T) *Set {
	t.Helper()
	s := NewSet()
	for _, d := range []struct {
		name  string
		roles []string
		props map[string]any
	}{
		{"web1", []string{"web", "app"}, nil},
		{"web2", []string{"web"}, map[string]any{"no_release": true}},
		{"db1", []string{"db"}, nil},
		{"db2", []string{"db"}, map[string]any{"primary": true}},
	} {
		h, err := s.Server(d.name)
		if err != nil {
			t.Fatal(err)
		}
		h.AddRoles(d.roles...)
		for k, v := range d.props {
			h.Props[k] = v
		}
	}
	return s
}

func TestSetRolesAndPrimary(t *testing.T) {
	s := testSet(t)
	if got := names(s.InRoles("web", "db")); !reflect.DeepEqual(got, []string{"web1", "web2", "db1", "db2"}) {
		t.Errorf("InRoles = %v", got)
	}
	if p, _ := s.Primary("db"); p.Name != "db2" {
		t.Errorf("Primary(db) = %s, want the host marked primary", p.Name)
	}
	if p, _ := s.Primary("web"); p.Name != "web1" {
		t.Errorf("Primary(web) = %s, want the first web host", p.Name)
	}
	if _, err := s.Primary("cache"); err == nil || err.Error() != `no host has role "cache"` {
		t.Errorf("Primary(cache) error = %v", err)
	}
	h, _ := s.Server("web1")
	h.AddRoles("web", "cron")
	if !reflect.DeepEqual(h.Roles, []string{"web", "app", "cron"}) {
		t.Errorf("merged roles = %v", h.Roles)
	}
	if same, _ := s.Server("web1"); same != h {
		t.Error("a second server(\"web1\") made a new host")
	}
	full, _ := s.Server("deploy@db9:2222")
	if bare, _ := s.Server("db9"); bare != full {
		t.Error(`"db9" did not find the host declared as "deploy@db9:2222"`)
	}
	if other, _ := s.Server("db9:2200"); other == full {
		t.Error(`"db9:2200" matched a host on another port`)
	}
	s = testSet(t)
	h, _ = s.Server("web1")
	h.AddRoles("web", "cron")
}

func TestFilterAndMatches(t *testing.T) {
	s := testSet(t)
	tests := []struct {
		f    Filter
		want []string
	}{
		{Filter{}, []string{"web1", "web2", "db1", "db2"}},
		{Filter{Roles: []string{"db"}}, []string{"db1", "db2"}},
		{Filter{Hosts: []string{"web*"}}, []string{"web1", "web2"}},
		{Filter{Hosts: []string{"web*"}, Roles: []string{"app"}}, []string{"web1"}},
		{Filter{Hosts: []string{"nope"}}, nil},
	}
	for _, tt := range tests {
		if got := names(tt.f.Apply(s.All())); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%+v.Apply = %v, want %v", tt.f, got, tt.want)
		}
	}
	web2, _ := s.Get("web2")
	if web2.Matches(map[string]any{"no_release": false}) || !web2.Matches(map[string]any{"no_release": true}) {
		t.Error("Matches(no_release) wrong for web2")
	}
	web1, _ := s.Get("web1")
	if !web1.Matches(map[string]any{"no_release": false}) {
		t.Error("a missing property should match false")
	}
}

// Every role check names the unknown role and the known ones, with a
// suggestion only for a plausible typo.
func TestCheckRoles(t *testing.T) {
	tests := []struct {
		roles []string
		want  string
	}{
		{[]string{"web", "db", "all"}, ""},
		{[]string{"wbe"}, `no server plays role "wbe"; the roles are web, app, db (did you mean "web"?)`},
		{[]string{"web", "dbb"}, `no server plays role "dbb"; the roles are web, app, db (did you mean "db"?)`},
		{[]string{"worker"}, `no server plays role "worker"; the roles are web, app, db`},
		{[]string{""}, `no server plays role ""; the roles are web, app, db`},
	}
	s := testSet(t)
	for _, tt := range tests {
		got := ""
		if err := s.CheckRoles(tt.roles...); err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("CheckRoles(%q) = %q, want %q", tt.roles, got, tt.want)
		}
	}
	if err := NewSet().CheckRoles("web"); err == nil || err.Error() != `no server plays role "web": no server is declared` {
		t.Errorf("CheckRoles on no servers = %v", err)
	}
	bare := NewSet()
	if _, err := bare.Server("h1"); err != nil {
		t.Fatal(err)
	}
	if err := bare.CheckRoles("web"); err == nil || err.Error() != `no server plays role "web": no server is given a role` {
		t.Errorf("CheckRoles on servers without roles = %v", err)
	}
}

// A --hosts pattern that is not a glob is refused by name; one that is
// matches as before.
func TestFilterValidate(t *testing.T) {
	tests := []struct {
		hosts []string
		bad   string
	}{
		{[]string{"web1", "web*", "db[12]", "h?"}, ""},
		{[]string{"web[1"}, "web[1"},
		{[]string{"web1", "db[2-"}, "db[2-"},
		{[]string{`web\`}, `web\\`},
	}
	for _, tt := range tests {
		err := Filter{Hosts: tt.hosts}.Validate()
		switch {
		case tt.bad == "" && err != nil:
			t.Errorf("Validate(%q) = %v, want nil", tt.hosts, err)
		case tt.bad != "" && (err == nil || !strings.Contains(err.Error(), `--hosts "`+tt.bad+`" is not a valid glob`)):
			t.Errorf("Validate(%q) = %v, want it to name %q", tt.hosts, err, tt.bad)
		}
	}
	if got := (Filter{Hosts: []string{"a", "b*"}, Roles: []string{"web"}}).String(); got != "--hosts a,b* --roles web" {
		t.Errorf("String = %q", got)
	}
}
