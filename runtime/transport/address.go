package transport

import "strconv"

// Address is where a server is, as its transport resolved it (for ssh:
// ssh_config's HostName, Port and User applied), and how an external
// tool such as rsync -e reaches it exactly as luacap does.
type Address struct {
	User     string // "": the transport names no user
	Hostname string
	Port     int
	// SSHArgs are the ssh options that follow "-p PORT": keys,
	// known_hosts, agent, proxy. nil for a server not reached over ssh.
	SSHArgs []string
}

// Destination is user@hostname, or the hostname alone when there is no
// user.
func (a Address) Destination() string {
	if a.User == "" {
		return a.Hostname
	}
	return a.User + "@" + a.Hostname
}

// SSHCommand is the ssh command line, without the destination, that
// reaches the server: what rsync -e runs.
func (a Address) SSHCommand() []string {
	return append([]string{"ssh", "-p", strconv.Itoa(a.Port)}, a.SSHArgs...)
}
