package netssh

import (
	"net"
	"sync/atomic"
)

// countingConn counts the bytes luacap writes to the network: what a
// deploy costs the deployer's uplink.
type countingConn struct {
	net.Conn
	sent *atomic.Int64
}

func (c countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.sent.Add(int64(n))
	return n, err
}

// BytesSent is how many bytes every connection of this dialer has sent,
// jump hosts included, counted on the wire (after compression and
// encryption).
func (d *Dialer) BytesSent() int64 { return d.sent.Load() }
