package command

import (
	"fmt"
	"strings"
)

// EnvVar is one variable set for a command; a slice keeps the order the
// user wrote them in, so printed commands are stable.
type EnvVar struct {
	Name, Value string
}

// Spec is everything that shapes the final shell string of one command.
type Spec struct {
	Dir  string   // cd here first (within)
	Env  []EnvVar // exported before the command (with)
	User string   // run as this user through sudo (as)
	Sudo bool     // run through sudo as root (sudo)
	Cmd  string   // the command as the user wrote it
}

// Build returns the shell string for s. It is pure: the same Spec always
// gives the same string, which the tests compare as text.
//
// Environment variables are exported inside the command rather than sent
// with the SSH "env" request, which most servers refuse (AcceptEnv).
func Build(s Spec) string {
	body := s.Cmd
	if len(s.Env) > 0 {
		body = exports(s.Env) + "; " + body
	}
	switch {
	case s.User != "":
		body = "sudo -u " + Quote(s.User) + " -- sh -c " + Quote(body)
	case s.Sudo:
		body = "sudo -- sh -c " + Quote(body)
	}
	if s.Dir != "" {
		body = "cd -- " + Quote(s.Dir) + " && " + body
	}
	return body
}

func exports(env []EnvVar) string {
	parts := make([]string, len(env))
	for i, e := range env {
		parts[i] = fmt.Sprintf("%s=%s", e.Name, Quote(e.Value))
	}
	return "export " + strings.Join(parts, " ")
}

// ValidEnvName reports whether name can be exported by a POSIX shell.
func ValidEnvName(name string) bool {
	if name == "" || (name[0] >= '0' && name[0] <= '9') {
		return false
	}
	for _, c := range name {
		ok := c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
		if !ok {
			return false
		}
	}
	return true
}
