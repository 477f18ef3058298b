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

// ChangedHostKeyError is a host whose key differs from the known one. It
// is never accepted.
type ChangedHostKeyError struct {
	Addr, Fingerprint, Known string
}

func (e *ChangedHostKeyError) Error() string {
	return fmt.Sprintf("HOST KEY CHANGED for %s: it offered %s, but known_hosts has %s.\n"+
		"Someone may be intercepting the connection, or the host was rebuilt. luacap will not connect.\n"+
		"If the change is expected, remove the old key with ssh-keygen -R '%s' and connect again.",
		e.Addr, e.Fingerprint, e.Known, knownhosts.Normalize(e.Addr))
}

// hostKeys returns the callback that verifies a host's key, and the key
// algorithms known for addr, so the server is asked for one of those.
func (s Settings) hostKeys(addr string, warn func(string)) (ssh.HostKeyCallback, []string, error) {
	var existing []string
	for _, f := range s.KnownHosts {
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
			return &ChangedHostKeyError{Addr: hostname, Fingerprint: ssh.FingerprintSHA256(key),
				Known: fmt.Sprintf("%s (%s:%d)", ssh.FingerprintSHA256(ke.Want[0].Key), ke.Want[0].Filename, ke.Want[0].Line)}
		}
		return s.unknownKey(hostname, remote, key, warn)
	}
	return check, knownAlgorithms(db, addr), nil
}

func (s Settings) unknownKey(hostname string, remote net.Addr, key ssh.PublicKey, warn func(string)) error {
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

// knownAlgorithms asks the database which keys it knows for addr by
// offering a key it cannot know; the KeyError lists the known ones.
func knownAlgorithms(db ssh.HostKeyCallback, addr string) []string {
	var ke *knownhosts.KeyError
	tcp, _ := net.ResolveTCPAddr("tcp", addr)
	if tcp == nil {
		tcp = &net.TCPAddr{}
	}
	if err := db(addr, tcp, probeKey{}); !errors.As(err, &ke) {
		return nil
	}
	var algos []string
	for _, k := range ke.Want {
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
