package netssh

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"strings"
)

// local is this machine and user, for the tokens %u %d %i %l %L.
type local struct {
	user, home, uid, host, shortHost string
}

func thisMachine() local {
	l := local{user: os.Getenv("USER"), home: home(), uid: strconv.Itoa(os.Getuid())}
	if u, err := user.Current(); err == nil {
		l.user = u.Username
	}
	l.host, _ = os.Hostname()
	l.shortHost, _, _ = strings.Cut(l.host, ".")
	return l
}

// tokens are ssh's percent tokens for a host (ssh_config(5) TOKENS).
type tokens map[byte]string

// hostTokens are the tokens of IdentityFile, CertificateFile,
// UserKnownHostsFile, IdentityAgent and Match exec.
func hostTokens(loc local, hostname, hostArg, user string, port int) tokens {
	p := strconv.Itoa(port)
	sum := sha1.Sum([]byte(loc.host + hostname + p + user))
	return tokens{
		'h': hostname, 'n': hostArg, 'k': hostArg, 'p': p, 'r': user,
		'u': loc.user, 'd': loc.home, 'i': loc.uid, 'l': loc.host, 'L': loc.shortHost,
		'C': hex.EncodeToString(sum[:]),
	}
}

// proxyTokens are the tokens of ProxyCommand.
func proxyTokens(hostname, hostArg, user string, port int) tokens {
	return tokens{'h': hostname, 'n': hostArg, 'k': hostArg, 'p': strconv.Itoa(port), 'r': user}
}

// expand replaces %x tokens and %%; an unknown token is an error, as in ssh.
func (t tokens) expand(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 >= len(s) {
			return "", fmt.Errorf("%q ends with a lone %%; write %%%% for a percent sign", s)
		}
		i++
		if s[i] == '%' {
			b.WriteByte('%')
			continue
		}
		v, ok := t[s[i]]
		if !ok {
			return "", fmt.Errorf("%q: %%%c is not a token here; the tokens are %s", s, s[i], t.names())
		}
		b.WriteString(v)
	}
	return b.String(), nil
}

func (t tokens) names() string {
	var out []string
	for _, k := range "CLdhiklnpru" {
		if _, ok := t[byte(k)]; ok {
			out = append(out, "%"+string(k))
		}
	}
	return strings.Join(append(out, "%%"), " ")
}

// expandPath is ~ and then tokens, as ssh does for file names; ${VAR}
// is the environment variable.
func (t tokens) expandPath(s string) (string, error) {
	s, err := expandEnv(s)
	if err != nil {
		return "", err
	}
	return t.expand(expandTilde(s))
}

// expandEnv replaces ${NAME}; an unset variable is an error, as in ssh.
func expandEnv(s string) (string, error) {
	var b strings.Builder
	for {
		start := strings.Index(s, "${")
		if start < 0 {
			return b.String() + s, nil
		}
		end := strings.IndexByte(s[start:], '}')
		if end < 0 {
			return "", fmt.Errorf("%q: ${ without its }", s)
		}
		name := s[start+2 : start+end]
		v, ok := os.LookupEnv(name)
		if !ok {
			return "", fmt.Errorf("%q: the environment variable %s is not set", s, name)
		}
		b.WriteString(s[:start] + v)
		s = s[start+end+1:]
	}
}

func expandTilde(p string) string {
	if p == "~" {
		return home()
	}
	if strings.HasPrefix(p, "~/") {
		return home() + p[1:]
	}
	return p
}
