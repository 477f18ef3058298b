package harness

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/crypto/ssh"
)

// Reconfigure rewrites the host's sshd_config with edit and has sshd
// read it again: on SIGHUP sshd executes itself anew, in the same
// process and namespaces.
func (h *Host) Reconfigure(edit func(cfg string) string) error {
	path := filepath.Join(h.dir, "sshd_config")
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, []byte(edit(string(b))), 0o600); err != nil {
		return err
	}
	pidFile := filepath.Join(h.dir, "sshd.pid")
	os.Remove(pidFile)
	if err := h.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		return err
	}
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(pidFile); err == nil {
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(h.log)
			return fmt.Errorf("sshd %s did not restart after SIGHUP:\n%s", h.Name, log)
		}
	}
	if err := h.waitReady(); err != nil {
		return err
	}
	h.probes++ // waitReady's connection
	return nil
}

// UseHostKeyType replaces the host's key by a new one of type typ
// ("rsa", "ecdsa"), the only one it offers from then on.
func (h *Host) UseHostKeyType(typ string) error {
	path := filepath.Join(h.dir, "host_key_"+typ)
	if out, err := exec.Command("ssh-keygen", "-q", "-t", typ, "-N", "", "-f", path).CombinedOutput(); err != nil {
		return fmt.Errorf("ssh-keygen: %v: %s", err, out)
	}
	pub, err := ReadPublicKey(path + ".pub")
	if err != nil {
		return err
	}
	old := "HostKey " + filepath.Join(h.dir, "host_key") + "\n"
	if err := h.Reconfigure(func(cfg string) string { return strings.Replace(cfg, old, "HostKey "+path+"\n", 1) }); err != nil {
		return err
	}
	h.HostKey = pub
	return nil
}

// TrustUserCA has sshd accept user certificates signed by the CA whose
// public key is at caPub (TrustedUserCAKeys).
func (h *Host) TrustUserCA(caPub string) error {
	return h.Reconfigure(func(cfg string) string { return cfg + "TrustedUserCAKeys " + caPub + "\n" })
}

// ReadPublicKey reads an OpenSSH public key file.
func ReadPublicKey(path string) (ssh.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pub, _, _, _, err := ssh.ParseAuthorizedKey(b)
	return pub, err
}

// NewUserCertificate makes a CA key and a user key in dir, signs the
// user key for principal with ssh-keygen -s, and returns the CA's public
// key file and the user's private key file (its certificate is
// KEY-cert.pub beside it, as ssh expects).
func NewUserCertificate(dir, principal string) (caPub, userKey string, err error) {
	ca, userKey := filepath.Join(dir, "user_ca"), filepath.Join(dir, "cert_user")
	for _, args := range [][]string{
		{"-q", "-t", "ed25519", "-N", "", "-f", ca},
		{"-q", "-t", "ed25519", "-N", "", "-f", userKey},
		{"-q", "-s", ca, "-I", "luacap-spec", "-n", principal, userKey + ".pub"},
	} {
		if out, err := exec.Command("ssh-keygen", args...).CombinedOutput(); err != nil {
			return "", "", fmt.Errorf("ssh-keygen %v: %v: %s", args, err, out)
		}
	}
	return ca + ".pub", userKey, nil
}
