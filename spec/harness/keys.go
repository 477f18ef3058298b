package harness

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"os"

	"golang.org/x/crypto/ssh"
)

// NewKey writes a fresh ed25519 private key to path in OpenSSH format
// (encrypted when passphrase is not empty) and returns its public key.
func NewKey(path, passphrase string) (ssh.PublicKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	var block *pem.Block
	if passphrase == "" {
		block, err = ssh.MarshalPrivateKey(priv, "luacap-spec")
	} else {
		block, err = ssh.MarshalPrivateKeyWithPassphrase(priv, "luacap-spec", []byte(passphrase))
	}
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		return nil, err
	}
	return ssh.NewPublicKey(pub)
}
