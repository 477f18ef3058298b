package spec

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

func waitForFile(t *testing.T, path string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(path); err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("%s never appeared", path)
}

func touch(t *testing.T, path string) {
	t.Helper()
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Error(err)
	}
}

// waitClientClosed waits until no client socket to port is established
// or waiting to close (/proc/net/tcp): the client has read the server's
// end of the connection and closed its own.
func waitClientClosed(t *testing.T, port int) {
	t.Helper()
	want := fmt.Sprintf(":%04X", port)
	for i := 0; i < 1000; i++ {
		data, err := os.ReadFile("/proc/net/tcp")
		if err != nil {
			t.Error(err)
			return
		}
		open := false
		for _, line := range strings.Split(string(data), "\n")[1:] {
			f := strings.Fields(line)
			// rem_address is the server's port; 01 ESTABLISHED, 08 CLOSE_WAIT
			if len(f) > 3 && strings.HasSuffix(f[2], want) && (f[3] == "01" || f[3] == "08") {
				open = true
			}
		}
		if !open {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("a client connection to port %d is still open 10 s after the server's end was killed", port)
}
