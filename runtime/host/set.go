package host

import (
	"fmt"
	"path"
	"strings"
)

// Set is every server a Deployfile declares, in declaration order.
type Set struct {
	hosts  []*Host
	byName map[string]*Host
}

// NewSet returns an empty Set.
func NewSet() *Set { return &Set{byName: map[string]*Host{}} }

// Server declares a host or, when it is already known, returns it so that
// roles and properties merge, as Capistrano does. A bare "web1" names the
// host declared as "deploy@web1:2222": roles are given by hostname.
func (s *Set) Server(name string) (*Host, error) {
	if h, ok := s.byName[name]; ok {
		return h, nil
	}
	h, err := Parse(name)
	if err != nil {
		return nil, err
	}
	for _, known := range s.hosts {
		if known.Hostname == h.Hostname && (h.User == "" || h.User == known.User) && (h.Port == 0 || h.Port == known.Port) {
			s.byName[name] = known
			return known, nil
		}
	}
	s.hosts = append(s.hosts, h)
	s.byName[name] = h
	return h, nil
}

// Get returns the host declared under name.
func (s *Set) Get(name string) (*Host, bool) {
	h, ok := s.byName[name]
	return h, ok
}

// All returns every host in declaration order.
func (s *Set) All() []*Host { return append([]*Host(nil), s.hosts...) }

// InRoles returns the hosts that play any of roles, in declaration order.
func (s *Set) InRoles(roles ...string) []*Host {
	var out []*Host
	for _, h := range s.hosts {
		for _, r := range roles {
			if h.HasRole(r) {
				out = append(out, h)
				break
			}
		}
	}
	return out
}

// HasRole reports whether any host plays role.
func (s *Set) HasRole(role string) bool { return len(s.InRoles(role)) > 0 }

// Primary returns the host of role marked primary, or else its first host.
func (s *Set) Primary(role string) (*Host, error) {
	hosts := s.InRoles(role)
	if len(hosts) == 0 {
		return nil, fmt.Errorf("no host has role %q", role)
	}
	for _, h := range hosts {
		if h.Primary() {
			return h, nil
		}
	}
	return hosts[0], nil
}

// Filter narrows hosts as --hosts and --roles do. Names are matched
// against both the declared name and the hostname, and may be globs.
type Filter struct {
	Hosts []string
	Roles []string
}

// Empty reports whether the filter lets every host through.
func (f Filter) Empty() bool { return len(f.Hosts) == 0 && len(f.Roles) == 0 }

// Validate refuses a --hosts pattern that is not a glob.
func (f Filter) Validate() error {
	for _, pat := range f.Hosts {
		if err := ValidGlob(pat); err != nil {
			return fmt.Errorf("--hosts %v", err)
		}
	}
	return nil
}

// String is the filter as the command line gives it.
func (f Filter) String() string {
	var parts []string
	if len(f.Hosts) > 0 {
		parts = append(parts, "--hosts "+strings.Join(f.Hosts, ","))
	}
	if len(f.Roles) > 0 {
		parts = append(parts, "--roles "+strings.Join(f.Roles, ","))
	}
	return strings.Join(parts, " ")
}

// Apply returns the hosts that pass the filter, keeping their order.
func (f Filter) Apply(hosts []*Host) []*Host {
	var out []*Host
	for _, h := range hosts {
		if f.passHosts(h) && f.passRoles(h) {
			out = append(out, h)
		}
	}
	return out
}

func (f Filter) passHosts(h *Host) bool {
	if len(f.Hosts) == 0 {
		return true
	}
	for _, pat := range f.Hosts {
		if globMatch(pat, h.Name) || globMatch(pat, h.Hostname) {
			return true
		}
	}
	return false
}

func (f Filter) passRoles(h *Host) bool {
	if len(f.Roles) == 0 {
		return true
	}
	for _, r := range f.Roles {
		if h.HasRole(r) {
			return true
		}
	}
	return false
}

// globMatch matches name against pattern; a pattern that is not a glob
// (Validate refuses those first) matches only itself.
func globMatch(pattern, name string) bool {
	ok, err := path.Match(pattern, name)
	return err == nil && ok || pattern == name
}
