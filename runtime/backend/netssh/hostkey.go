package netssh

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// knownHostsMu serialises appends to known_hosts by accept-new.
var knownHostsMu sync.Mutex

// UnknownHostKeyError is a host whose key is in no known_hosts file.
type UnknownHostKeyError struct {
	Addr, Fingerprint, KeyType, File string
}

func (e *UnknownHostKeyError) Error() string {
	host, port, _ := net.SplitHostPort(e.Addr)
	return fmt.Sprintf("host key for %s is not known: %s %s\n"+
		"luacap checks host keys as ssh does. If that fingerprint is right, add the key with\n"+
		"    ssh-keyscan -p %s %s >> %s\n"+
		"or set StrictHostKeyChecking accept-new in ssh_config (or ssh_options = { strict_host_key_checking = \"accept-new\" }).",
		e.Addr, e.KeyType, e.Fingerprint, port, host, e.File)
}

// ChangedHostKeyError is a host whose key differs from the known one, or
// that offers only keys of other types than the known ones. It is never
// accepted.
type ChangedHostKeyError struct {
	Addr, Fingerprint, Known string
}

// knownKeyText names a known key: its type, fingerprint, file and line.
func knownKeyText(k knownhosts.KnownKey) string {
	return fmt.Sprintf("%s %s (%s:%d)", k.Key.Type(), ssh.FingerprintSHA256(k.Key), k.Filename, k.Line)
}

func (e *ChangedHostKeyError) Error() string {
	return fmt.Sprintf("HOST KEY CHANGED for %s: it offered %s, but known_hosts has %s.\n"+
		"Someone may be intercepting the connection, or the host was rebuilt. luacap will not connect.\n"+
		"If the change is expected, remove the old key with ssh-keygen -R '%s' and connect again.",
		e.Addr, e.Fingerprint, e.Known, knownhosts.Normalize(e.Addr))
}

// hostKeys returns the callback that verifies a host's key, and the keys
// known for addr: the server is asked for one of their types only, as
// ssh does, so a host that has only keys of other types is refused.
func (s Settings) hostKeys(addr string, warn func(string)) (ssh.HostKeyCallback, []knownhosts.KnownKey, error) {
	var existing []string
	for _, f := range append(s.KnownHosts[:len(s.KnownHosts):len(s.KnownHosts)], s.GlobalKnownHosts...) {
		if _, err := os.Stat(f); err == nil {
			existing = append(existing, f)
		}
	}
	db, err := knownhosts.New(existing...)
	if err != nil {
		return nil, nil, fmt.Errorf("reading known_hosts: %v", err)
	}
	check := func(hostname string, remote net.Addr, key ssh.PublicKey) error {
		err := db(hostname, remote, key)
		var ke *knownhosts.KeyError
		if err == nil || !errors.As(err, &ke) {
			return err
		}
		if len(ke.Want) > 0 {
			return &ChangedHostKeyError{Addr: hostname, Fingerprint: key.Type() + " " + ssh.FingerprintSHA256(key),
				Known: knownKeyText(ke.Want[0])}
		}
		return s.unknownKey(hostname, remote, key, warn)
	}
	return check, knownKeys(db, addr), nil
}

func (s Settings) unknownKey(hostname string, remote net.Addr, key ssh.PublicKey, warn func(string)) error {
	if len(s.KnownHosts) == 0 {
		return fmt.Errorf("host key for %s is not known and UserKnownHostsFile names no file", hostname)
	}
	file := s.KnownHosts[0]
	switch s.StrictHostKey {
	case "no":
		warn(fmt.Sprintf("%s: host key %s accepted without checking (StrictHostKeyChecking no)", hostname, ssh.FingerprintSHA256(key)))
		return nil
	case "accept-new":
		if err := appendKnownHost(file, hostname, key); err != nil {
			return fmt.Errorf("adding the new host key to %s: %v", file, err)
		}
		warn(fmt.Sprintf("%s: new host key %s added to %s (accept-new)", hostname, ssh.FingerprintSHA256(key), file))
		return nil
	}
	return &UnknownHostKeyError{Addr: hostname, Fingerprint: ssh.FingerprintSHA256(key), KeyType: key.Type(), File: file}
}

func appendKnownHost(file, hostname string, key ssh.PublicKey) error {
	knownHostsMu.Lock()
	defer knownHostsMu.Unlock()
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(file, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(f, knownhosts.Line([]string{knownhosts.Normalize(hostname)}, key))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// knownKeys asks the database which keys it knows for addr by offering a
// key it cannot know; the KeyError lists the known ones.
func knownKeys(db ssh.HostKeyCallback, addr string) []knownhosts.KnownKey {
	var ke *knownhosts.KeyError
	tcp, _ := net.ResolveTCPAddr("tcp", addr)
	if tcp == nil {
		tcp = &net.TCPAddr{}
	}
	if err := db(addr, tcp, probeKey{}); !errors.As(err, &ke) {
		return nil
	}
	return ke.Want
}

// keyAlgorithms are the host key algorithms for the known keys.
func keyAlgorithms(known []knownhosts.KnownKey) []string {
	var algos []string
	for _, k := range known {
		switch t := k.Key.Type(); t {
		case ssh.KeyAlgoRSA:
			algos = append(algos, ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, t)
		default:
			algos = append(algos, t)
		}
	}
	return dedupe(algos)
}

func dedupe(s []string) []string {
	var out []string
	for _, x := range s {
		if !contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// probeKey is a key no known_hosts line can match.
type probeKey struct{}

func (probeKey) Type() string                        { return "luacap-probe" }
func (probeKey) Marshal() []byte                     { return []byte("luacap-probe") }
func (probeKey) Verify([]byte, *ssh.Signature) error { return errors.New("probe key") }
