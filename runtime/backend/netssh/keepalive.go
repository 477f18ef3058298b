package netssh

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/crypto/ssh"
)

// keepAlive asks the server for a reply every interval, as ssh's
// ServerAliveInterval does, so that an idle connection (a long local
// build) survives firewalls. When no reply has come for silenceLimit, the
// host is silent (down, or its route dropped): it notes why with lost and
// closes the client, which ends the commands waiting on it instead of
// leaving them to hang, and lets the next command dial once more.
func keepAlive(ctx context.Context, client *ssh.Client, interval time.Duration, count int, lost func(string)) {
	if interval <= 0 {
		return
	}
	limit := silenceLimit(interval, count)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	silent := time.NewTimer(limit) // reset by each reply
	defer silent.Stop()
	replies := make(chan error, 1)
	waiting := false // one request at a time: the server answers in order
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if !waiting {
				waiting = true
				go func() { _, _, err := client.SendRequest("keepalive@openssh.com", true, nil); replies <- err }()
			}
		case err := <-replies:
			waiting = false
			if err != nil { // the connection ended: its reader says why
				return
			}
			silent.Reset(limit) // a refusal is a reply too: the server is there
		case <-silent.C:
			lost(fmt.Sprintf("no keepalive reply for %v", limit))
			client.Close()
			return
		}
	}
}

// silenceLimit is how long a host may go without answering before it is
// taken for gone: interval × count, and two intervals at least, since a
// request goes out an interval after the last reply and needs time to
// come back.
func silenceLimit(interval time.Duration, count int) time.Duration {
	return interval * time.Duration(max(count, 2))
}
