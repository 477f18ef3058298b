package engine

import (
	"context"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/luacap/luacap/runtime/backend"
	"github.com/luacap/luacap/runtime/host"
	"github.com/luacap/luacap/runtime/transport"
)

// recordingSSH stands in for ssh: it records the options each host is
// dialled with and answers Address from them.
type recordingSSH struct {
	mu     sync.Mutex
	dialed map[string]transport.Options
}

func (r *recordingSSH) Dial(_ context.Context, h *host.Host, o transport.Options) (backend.Backend, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.dialed[h.Name] = o
	return backend.Printer{}, nil
}

func (r *recordingSSH) Address(h *host.Host, o transport.Options) (transport.Address, error) {
	return transport.Address{User: o.User, Hostname: h.Hostname + ".resolved", Port: o.Port}, nil
}

func withSSH(t transport.Transport) setup { return func(o *Options) { o.SSH = t } }

// The transport gets each server's ssh_options over the Deployfile's,
// typed, for its dial and for ssh_address(), which reads the address's
// fields.
func TestTransportGetsServerSSHOptionsOverTheDeployfiles(t *testing.T) {
	ssh := &recordingSSH{dialed: map[string]transport.Options{}}
	r := load(t, `
set("ssh_options", { user = "g", port = 2200, forward_agent = true, config = false })
server("web1", { roles = { "web" }, ssh_options = { port = 2201, config = "own.conf" } })
server("web2", { roles = { "web" } })
task("x", function()
  for _, h in ipairs(roles("web")) do
    local dest, port = ssh_address(h)
    table.insert(trace, h.name .. " " .. dest .. " " .. port)
  end
  on(roles("web"), function() run("true") end)
end)`, withSSH(ssh))
	r.mustRun(t, "x")
	wantTrace(t, r, "web1 g@web1.resolved 2201", "web2 g@web2.resolved 2200")
	yes, own := true, "own.conf"
	want := map[string]transport.Options{
		"web1": {User: "g", Port: 2201, ForwardAgent: &yes, Config: &own},
		"web2": {User: "g", Port: 2200, ForwardAgent: &yes, NoConfig: true},
	}
	ssh.mu.Lock()
	defer ssh.mu.Unlock()
	if !reflect.DeepEqual(ssh.dialed, want) {
		t.Errorf("dialled with\n%+v\nwant\n%+v", ssh.dialed, want)
	}
}

// ssh_options are checked as the run starts, whatever the transport: the
// Deployfile's name the line that set them, a server's name the server.
func TestSSHOptionsErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"the Deployfile's, a wrong type", `set("ssh_options", { port = "abc" })`,
			`DIR/Deployfile.lua:2: ssh_options.port must be a number from 1 to 65535, not "abc"`},
		{"the Deployfile's, an unknown key", "\nset(\"ssh_options\", { prot = 22 })",
			`DIR/Deployfile.lua:3: ssh_options: "prot" is not an option; the options are config, user`},
		{"the Deployfile's, not a table", `set("ssh_options", "yes")`,
			`ssh_options must be a table of options, like { forward_agent = true }, not a string`},
		{"a server's, a wrong type", `server("web1", { ssh_options = { keys = { "/k", 5 } } })`,
			`server "web1": ssh_options.keys must be a string or a list of strings, not a list holding 5`},
		{"a server's, an unknown key", `server("web1", { ssh_options = { forward_agnet = true } })`,
			`server "web1": ssh_options: "forward_agnet" is not an option`},
	}
	for _, tt := range tests {
		for _, ssh := range []transport.Transport{nil, &recordingSSH{dialed: map[string]transport.Options{}}} {
			r := load(t, tt.src+"\ntask(\"x\", function() end)", withSSH(ssh))
			if got := r.errText(r.run("x")); !strings.Contains(got, tt.want) {
				t.Errorf("%s (ssh %T): error\n%s\nwant it to contain\n%s", tt.name, ssh, got, tt.want)
			}
		}
	}
}
