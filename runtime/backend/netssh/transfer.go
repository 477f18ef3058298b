package netssh

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/pkg/sftp"

	"github.com/luacap/luacap/runtime/backend"
)

// sftpClient returns the sftp client on the shared connection, opening
// it on first use and again after a re-dial.
func (c *Conn) sftpClient(ctx context.Context) (*sftp.Client, error) {
	client, err := c.live(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sftp == nil {
		sc, err := withRoom(ctx, c, true, func() (*sftp.Client, error) { return sftp.NewClient(client, sftp.UseConcurrentWrites(true)) })
		if err != nil {
			return nil, fmt.Errorf("starting sftp (is the sftp subsystem enabled in sshd_config?): %v", err)
		}
		c.sftp = sc
	}
	return c.sftp, nil
}

// Upload streams src to a temporary file beside path, sets its mode and
// renames it into place, so that path is never half written.
func (c *Conn) Upload(ctx context.Context, src io.Reader, path string, mode fs.FileMode) error {
	sc, err := c.sftpClient(ctx)
	if err != nil {
		return err
	}
	return c.transferError(upload(ctx, sc, src, path, mode))
}

func upload(ctx context.Context, sc *sftp.Client, src io.Reader, path string, mode fs.FileMode) error {
	tmp := path + ".luacap-upload"
	f, err := sc.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
	if err != nil {
		return err
	}
	_, err = f.ReadFrom(backend.ContextReader(ctx, src))
	if err == nil {
		err = f.Chmod(mode.Perm())
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = sc.PosixRename(tmp, path)
	}
	if err != nil {
		sc.Remove(tmp)
	}
	return err
}

// Download streams path to dst and returns its mode.
func (c *Conn) Download(ctx context.Context, path string, dst io.Writer) (fs.FileMode, error) {
	sc, err := c.sftpClient(ctx)
	if err != nil {
		return 0, err
	}
	mode, err := download(ctx, sc, path, dst)
	return mode, c.transferError(err)
}

func download(ctx context.Context, sc *sftp.Client, path string, dst io.Writer) (fs.FileMode, error) {
	f, err := sc.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return 0, err
	}
	// WriteTo reads many packets at once; closing the file stops it on cancel.
	stop := context.AfterFunc(ctx, func() { f.Close() })
	defer stop()
	_, err = f.WriteTo(dst)
	if ctx.Err() != nil {
		err = ctx.Err()
	}
	return info.Mode().Perm(), err
}

var _ backend.Backend = (*Conn)(nil)
