package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/luacap/luacap/runtime/backend/netssh"
	"github.com/luacap/luacap/runtime/engine"
	"github.com/luacap/luacap/runtime/output"
	"github.com/luacap/luacap/runtime/transport"
)

// sshConfigCommand is the word that runs luacap ssh-config.
const sshConfigCommand = "ssh-config"

// isSSHConfig is "luacap [stage] ssh-config HOST".
func isSSHConfig(c *config) bool {
	for i, a := range c.args {
		if a == sshConfigCommand {
			return i <= 1
		}
	}
	return false
}

// sshConfig prints, like ssh -G, the settings luacap uses to reach a
// host: a server of the Deployfile (its user, port and ssh_options
// apply), or else a plain [user@]host as ssh takes it.
func sshConfig(c *config, io stdio) error {
	target, hc, err := sshConfigLookup(c)
	if err != nil {
		return err
	}
	if hc == nil {
		return usageError{fmt.Sprintf("usage: luacap [stage] ssh-config HOST (got %q)", strings.Join(c.args, " "))}
	}
	fmt.Fprintf(io.out, "# %s\n", target)
	for _, line := range hc.Lines() {
		fmt.Fprintln(io.out, line)
	}
	return nil
}

func sshConfigLookup(c *config) (string, *netssh.HostConfig, error) {
	e, args, err := sshConfigEngine(c)
	if err != nil {
		return "", nil, err
	}
	if len(args) != 2 {
		return "", nil, nil
	}
	name := args[1]
	if e == nil {
		user, host := splitUser(name)
		hc, err := netssh.Lookup(host, user, 0, transport.Options{})
		return "ssh_config for " + name + ", as ssh -G reads it", hc, err
	}
	defer e.Close()
	h, opts, err := e.SSHTarget(name)
	if err != nil {
		return "", nil, err
	}
	if h == nil {
		user, host := splitUser(name)
		hc, err := netssh.Lookup(host, user, 0, opts)
		return name + " is not a server of the Deployfile: ssh_config with its ssh_options", hc, err
	}
	hc, err := netssh.Lookup(h.Hostname, h.User, h.Port, opts)
	if err != nil {
		err = fmt.Errorf("server %q: %w", h.Name, err)
	}
	return "server " + h.Name + " of the Deployfile", hc, err
}

// sshConfigEngine loads the Deployfile when there is one (nil when not)
// and returns the arguments from "ssh-config" on.
func sshConfigEngine(c *config) (*engine.Engine, []string, error) {
	if c.file == "" {
		dir, err := os.Getwd()
		if err != nil {
			return nil, nil, err
		}
		if _, err := findDeployfile(dir); err != nil {
			var usage usageError
			if errors.As(err, &usage) {
				return nil, c.args[indexOf(c.args, sshConfigCommand):], nil
			}
			return nil, nil, err
		}
	}
	e, err := engine.New(engine.Options{Out: output.New(io.Discard, output.Options{}), SSH: netssh.Transport{Dialer: &netssh.Dialer{}}})
	if err != nil {
		return nil, nil, err
	}
	args, err := load(e, c)
	if err != nil {
		e.Close()
		return nil, nil, err
	}
	return e, args, nil
}

func splitUser(s string) (user, host string) {
	if at := strings.LastIndex(s, "@"); at >= 0 {
		return s[:at], s[at+1:]
	}
	return "", s
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return len(list)
}
