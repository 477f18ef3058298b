package netssh

import (
	"errors"
	"fmt"
	"net"
	"os"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// defaultIdentities are tried, when they exist, if nothing names a key.
var defaultIdentities = []string{"~/.ssh/id_ed25519", "~/.ssh/id_ecdsa", "~/.ssh/id_rsa"}

// Prompt asks the user for a secret; nil when there is no terminal.
type Prompt func(prompt string) (string, error)

// authMethods offers the agent's keys (unless IdentitiesOnly) and then the
// identity files, as ssh does. A named key that cannot be read is an
// error, never skipped in silence.
func (s Settings) authMethods(agentClient agent.ExtendedAgent, prompt Prompt) ([]ssh.AuthMethod, error) {
	var signers []ssh.Signer
	if agentClient != nil && !s.IdentitiesOnly {
		if list, err := agentClient.Signers(); err == nil {
			signers = append(signers, list...)
		}
	}
	files, named := s.IdentityFiles, len(s.IdentityFiles) > 0
	if !named {
		files = expandAll(defaultIdentities)
	}
	for _, f := range files {
		signer, err := loadKey(f, prompt)
		if errors.Is(err, os.ErrNotExist) && !named {
			continue
		}
		if err != nil {
			return nil, err
		}
		signers = append(signers, signer)
	}
	if len(signers) == 0 {
		return nil, errors.New("no key to log in with: start ssh-agent and ssh-add a key, or name one with IdentityFile in ssh_config or ssh_options.keys")
	}
	return []ssh.AuthMethod{ssh.PublicKeys(signers...)}, nil
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

func agentSocket() string { return os.Getenv("SSH_AUTH_SOCK") }

// dialAgent connects to $SSH_AUTH_SOCK, or returns nil when there is none.
func dialAgent() (agent.ExtendedAgent, net.Conn) {
	sock := agentSocket()
	if sock == "" {
		return nil, nil
	}
	conn, err := net.Dial("unix", sock)
	if err != nil {
		return nil, nil
	}
	return agent.NewClient(conn), conn
}
