// Package host holds the servers a Deployfile declares, their roles and
// properties, and the filters (--hosts, --roles, only, except) that pick
// which of them a step runs on.
package host

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
)

// Host is one server. Fields are plain values so that backends may read
// them from any goroutine.
type Host struct {
	Name      string // the name as written in server(); unique in a Set
	Hostname  string
	User      string // empty: the transport's default (ssh_config, $USER)
	Port      int    // 0: the transport's default
	Roles     []string
	Transport string         // "ssh" or "local"
	Props     map[string]any // every other property, primary and no_release included
}

// Parse splits "user@host:port" into a Host with no roles.
func Parse(name string) (*Host, error) {
	h := &Host{Name: name, Transport: "ssh", Props: map[string]any{}}
	rest := name
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		h.User, rest = rest[:at], rest[at+1:]
	}
	if hostPart, port, err := net.SplitHostPort(rest); err == nil {
		p, perr := strconv.Atoi(port)
		if perr != nil || p <= 0 || p > 65535 {
			return nil, fmt.Errorf("server %q: port %q is not a number from 1 to 65535", name, port)
		}
		rest, h.Port = hostPart, p
	}
	if rest == "" {
		return nil, fmt.Errorf("server %q has no hostname", name)
	}
	h.Hostname = rest
	return h, nil
}

// HasRole reports whether h plays role.
func (h *Host) HasRole(role string) bool { return slices.Contains(h.Roles, role) }

// AddRoles adds roles h does not have yet, keeping their order.
func (h *Host) AddRoles(roles ...string) {
	for _, r := range roles {
		if !h.HasRole(r) {
			h.Roles = append(h.Roles, r)
		}
	}
}

// Primary reports whether the Deployfile marked h primary=true.
func (h *Host) Primary() bool { return h.Props["primary"] == true }

// Matches reports whether every key of props has the same value on h,
// as `only={primary=true}` asks. A missing property counts as false.
func (h *Host) Matches(props map[string]any) bool {
	for k, want := range props {
		got, ok := h.Props[k]
		if !ok {
			got = false
		}
		if got != want {
			return false
		}
	}
	return true
}

// String is the name used in output and errors.
func (h *Host) String() string { return h.Name }
