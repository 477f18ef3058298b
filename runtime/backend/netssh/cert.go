package netssh

import (
	"bytes"
	"fmt"
	"os"

	"golang.org/x/crypto/ssh"
)

// readCert reads an OpenSSH certificate (KEY-cert.pub).
func readCert(path string) (*ssh.Certificate, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pub, _, _, _, err := ssh.ParseAuthorizedKey(b)
	if err != nil {
		return nil, fmt.Errorf("certificate %s: %v", path, err)
	}
	cert, ok := pub.(*ssh.Certificate)
	if !ok {
		return nil, fmt.Errorf("%s is a public key, not a certificate (sign it with ssh-keygen -s CA_KEY)", path)
	}
	return cert, nil
}

// loadCertFor is the certificate at path bound to signer's key.
func loadCertFor(path string, signer ssh.Signer) (ssh.Signer, error) {
	cert, err := readCert(path)
	if err != nil {
		return nil, err
	}
	if !sameKey(cert.Key, signer.PublicKey()) {
		return nil, fmt.Errorf("certificate %s is for another key than the one beside it", path)
	}
	return ssh.NewCertSigner(cert, signer)
}

// certificateSigners pairs each CertificateFile with the identity file or
// agent key it certifies, as ssh does.
func (s Settings) certificateSigners(keys []ssh.Signer) ([]ssh.Signer, error) {
	var out []ssh.Signer
	for _, path := range s.Certificates {
		cert, err := readCert(path)
		if err != nil {
			return nil, fmt.Errorf("CertificateFile: %w", err)
		}
		var signer ssh.Signer
		for _, k := range keys {
			if sameKey(cert.Key, k.PublicKey()) {
				signer = k
				break
			}
		}
		if signer == nil {
			return nil, fmt.Errorf("CertificateFile %s: no IdentityFile and no agent key is the key it certifies; name its private key with IdentityFile, or ssh-add it", path)
		}
		cs, err := ssh.NewCertSigner(cert, signer)
		if err != nil {
			return nil, fmt.Errorf("CertificateFile %s: %v", path, err)
		}
		out = append(out, cs)
	}
	return out, nil
}

func sameKey(a, b ssh.PublicKey) bool {
	return bytes.Equal(a.Marshal(), b.Marshal())
}
