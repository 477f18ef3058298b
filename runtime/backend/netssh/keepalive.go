package netssh

import (
	"context"
	"time"

	"golang.org/x/crypto/ssh"
)

// keepAlive asks the server for a reply every interval, as ssh's
// ServerAliveInterval does, so that an idle connection (a long local
// build) survives firewalls; after max unanswered in a row it closes the
// client, and the next command dials again.
func keepAlive(ctx context.Context, client *ssh.Client, interval time.Duration, max int) {
	if interval <= 0 {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	missed := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if ping(client, interval) {
			missed = 0
			continue
		}
		if missed++; missed >= max {
			client.Close()
			return
		}
	}
}

// ping sends one keepalive and waits for the reply up to timeout. A
// refusal is a reply too: the server is there.
func ping(client *ssh.Client, timeout time.Duration) bool {
	done := make(chan error, 1)
	go func() {
		_, _, err := client.SendRequest("keepalive@openssh.com", true, nil)
		done <- err
	}()
	select {
	case err := <-done:
		return err == nil
	case <-time.After(timeout):
		return false
	}
}
