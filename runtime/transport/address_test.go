package transport

import (
	"reflect"
	"testing"

	"github.com/luacap/luacap/runtime/host"
)

func TestAddress(t *testing.T) {
	tests := []struct {
		name    string
		a       Address
		dest    string
		command []string
	}{
		{"user, port and options", Address{User: "deploy", Hostname: "10.0.0.5", Port: 2222, SSHArgs: []string{"-o", "BatchMode=yes", "-J", "gate"}},
			"deploy@10.0.0.5", []string{"ssh", "-p", "2222", "-o", "BatchMode=yes", "-J", "gate"}},
		{"no user", Address{Hostname: "web1", Port: 22}, "web1", []string{"ssh", "-p", "22"}},
		{"an IPv6 host", Address{User: "app", Hostname: "::1", Port: 2200}, "app@::1", []string{"ssh", "-p", "2200"}},
	}
	for _, tt := range tests {
		if got := tt.a.Destination(); got != tt.dest {
			t.Errorf("%s: Destination() = %q, want %q", tt.name, got, tt.dest)
		}
		if got := tt.a.SSHCommand(); !reflect.DeepEqual(got, tt.command) {
			t.Errorf("%s: SSHCommand() = %q, want %q", tt.name, got, tt.command)
		}
	}
}

// The local transport's address is the server as declared: nothing
// resolves it.
func TestLocalAddress(t *testing.T) {
	tests := []struct {
		h    host.Host
		want Address
	}{
		{host.Host{Name: "a", Hostname: "a.example", Port: 0}, Address{Hostname: "a.example", Port: 22}},
		{host.Host{Name: "b", Hostname: "b.example", User: "ops", Port: 2222}, Address{Hostname: "b.example", Port: 2222}},
	}
	for _, tt := range tests {
		got, err := Local{}.Address(&tt.h, Options{User: "ignored", Port: 1})
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Local.Address(%s) = %+v, %v; want %+v", tt.h.Name, got, err, tt.want)
		}
	}
}
