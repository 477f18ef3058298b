package rsyncpipe

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strings"
)

// request is the helper's first line on the socket. The command is
// bytes (base64 in JSON): as a string, JSON would replace what is not
// UTF-8 in a file name, and rsync would send elsewhere.
type request struct {
	Token   string `json:"token"`
	Command []byte `json:"command"`
}

// Shell is the helper rsync runs as its remote shell: args are the
// socket, then what rsync appends to a remote shell command (an optional
// "-l user", the token in the host's place, the command's words). It
// pipes its stdin and stdout through the running luacap to the command on
// the host and returns the command's exit status, or 255, as ssh does,
// when it could not run it.
func Shell(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	sock, token, cmd, err := parseShellArgs(args)
	if err != nil {
		fmt.Fprintf(stderr, "luacap %s: %v\n", ShellArg, err)
		return 255
	}
	conn, err := net.Dial("unix", sock)
	if err != nil {
		fmt.Fprintf(stderr, "luacap %s: reaching the running luacap: %v (this helper only works while luacap runs rsync())\n", ShellArg, err)
		return 255
	}
	defer conn.Close()
	line, _ := json.Marshal(request{Token: token, Command: []byte(cmd)})
	if _, err := conn.Write(append(line, '\n')); err != nil {
		fmt.Fprintf(stderr, "luacap %s: %v\n", ShellArg, err)
		return 255
	}
	go func() {
		io.Copy(conn, stdin)
		conn.(*net.UnixConn).CloseWrite()
	}()
	return relayFrames(conn, stdout, stderr)
}

// parseShellArgs reads the socket, the token and the command from what
// rsync passes a remote shell.
func parseShellArgs(args []string) (sock, token, cmd string, err error) {
	if len(args) >= 3 && args[1] == "-l" { // rsync adds it for user@host
		args = append(args[:1:1], args[3:]...)
	}
	if len(args) < 3 {
		return "", "", "", fmt.Errorf("needs a socket, a token and a command; rsync runs it, not you")
	}
	return args[0], args[1], strings.Join(args[2:], " "), nil
}

// relayFrames writes the frames from luacap to stdout and stderr until
// the exit status comes.
func relayFrames(r io.Reader, stdout, stderr io.Writer) int {
	buf := make([]byte, maxFrame)
	for {
		kind, p, err := readFrame(r, buf)
		if err != nil {
			fmt.Fprintf(stderr, "luacap %s: the running luacap closed the channel before the command ended\n", ShellArg)
			return 255
		}
		switch kind {
		case frameStdout:
			if _, err := stdout.Write(p); err != nil {
				return 255 // rsync went away
			}
		case frameStderr:
			stderr.Write(p)
		case frameExit:
			if len(p) == 4 {
				return int(binary.BigEndian.Uint32(p))
			}
			return 255
		case frameError:
			fmt.Fprintf(stderr, "luacap: %s\n", p)
			return 255
		}
	}
}
