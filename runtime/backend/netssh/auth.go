package netssh

import (
	"errors"
	"fmt"
	"net"
	"os"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// Prompt asks the user for a secret; nil when there is no terminal.
type Prompt func(prompt string) (string, error)

// authMethods offers, as ssh does, the CertificateFile certificates, the
// agent's keys (unless IdentitiesOnly) and then each identity file, its
// certificate (KEY-cert.pub beside it) first. A named key or certificate
// that cannot be read is an error, never skipped in silence.
func (s Settings) authMethods(agentClient agent.ExtendedAgent, prompt Prompt) ([]ssh.AuthMethod, error) {
	var agentKeys []ssh.Signer
	if agentClient != nil {
		agentKeys, _ = agentClient.Signers()
	}
	files, err := s.fileSigners(prompt)
	if err != nil {
		return nil, err
	}
	signers, err := s.certificateSigners(append(files[:len(files):len(files)], agentKeys...))
	if err != nil {
		return nil, err
	}
	if !s.IdentitiesOnly {
		signers = append(signers, agentKeys...)
	}
	signers = append(signers, files...)
	if len(signers) == 0 {
		return nil, errors.New("no key to log in with: start ssh-agent and ssh-add a key, or name one with IdentityFile in ssh_config or ssh_options.keys")
	}
	return []ssh.AuthMethod{ssh.PublicKeys(signers...)}, nil
}

// fileSigners loads the identity files, each preceded by its certificate
// when KEY-cert.pub exists. ssh's default files may be missing.
func (s Settings) fileSigners(prompt Prompt) ([]ssh.Signer, error) {
	var out []ssh.Signer
	for _, f := range s.IdentityFiles {
		signer, err := loadKey(f, prompt)
		if errors.Is(err, os.ErrNotExist) && !s.namedKeys {
			continue
		}
		if err != nil {
			return nil, err
		}
		certSigner, err := loadCertFor(f+"-cert.pub", signer)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		if certSigner != nil {
			out = append(out, certSigner)
		}
		out = append(out, signer)
	}
	return out, nil
}

func loadKey(path string, prompt Prompt) (ssh.Signer, error) {
	pemBytes, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading key %s: %w", path, err)
	}
	signer, err := ssh.ParsePrivateKey(pemBytes)
	var missing *ssh.PassphraseMissingError
	if !errors.As(err, &missing) {
		if err != nil {
			return nil, fmt.Errorf("key %s: %v", path, err)
		}
		return signer, nil
	}
	if prompt == nil {
		return nil, fmt.Errorf("key %s is encrypted and there is no terminal to ask its passphrase; add it to ssh-agent with ssh-add %s", path, path)
	}
	pass, err := prompt("Passphrase for " + path + ":")
	if err != nil {
		return nil, fmt.Errorf("reading the passphrase for %s: %v", path, err)
	}
	signer, err = ssh.ParsePrivateKeyWithPassphrase(pemBytes, []byte(pass))
	if err != nil {
		return nil, fmt.Errorf("key %s: %v", path, err)
	}
	return signer, nil
}

// dialAgent connects to the agent socket, or returns nil when there is
// none or it does not answer (as ssh, which then goes on without it).
func dialAgent(sock string) (agent.ExtendedAgent, net.Conn) {
	if sock == "" {
		return nil, nil
	}
	conn, err := net.Dial("unix", sock)
	if err != nil {
		return nil, nil
	}
	return agent.NewClient(conn), conn
}
