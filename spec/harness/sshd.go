package harness

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/template"
	"time"

	"golang.org/x/crypto/ssh"
)

// Host is one sshd, in a mount namespace of its own where Root is
// mounted on /var/www.
type Host struct {
	Name    string
	Addr    string // the address sshd listens on
	Port    int
	Root    string // what this host sees as /var/www
	HostKey ssh.PublicKey

	dir    string
	log    string
	netns  string
	cmd    *exec.Cmd
	mntNS  string // /proc/PID/ns/mnt of its sshd, to find its processes
	probes int    // connections the readiness check made
	stop   sync.Once
	hide   []string // programs bound over with an empty file
	shell  string   // root's login shell, when not the machine's
	tmpfs  bool     // Root is a tmpfs of its own, unmounted by Stop
	nsHold *os.File // the mount namespace, held open until Stop
}

// DeployRoot is the directory every host sees with its own files.
const DeployRoot = "/var/www"

var sshdConfig = template.Must(template.New("sshd").Parse(`Port {{.Port}}
ListenAddress {{.Addr}}
HostKey {{.Dir}}/host_key
PidFile {{.Dir}}/sshd.pid
AuthorizedKeysFile {{.AuthorizedKeys}}
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
AllowAgentForwarding yes
AllowTcpForwarding yes
PermitUserEnvironment no
PrintMotd no
LogLevel VERBOSE
ClientAliveInterval {{.AliveInterval}}
ClientAliveCountMax {{.AliveCountMax}}
MaxStartups 200
Subsystem sftp internal-sftp
`))

type sshdParams struct {
	Port                         int
	Addr, Dir, AuthorizedKeys    string
	AliveInterval, AliveCountMax int
}

// start writes the host's config and keys and starts its sshd.
func (h *Host) start(authorizedKeys string, opts Options) error {
	if err := os.MkdirAll(h.Root, 0o755); err != nil {
		return err
	}
	if size, ok := opts.TmpfsRoot[h.Name]; ok {
		if err := mountTmpfs(h.Root, size); err != nil {
			return err
		}
		h.tmpfs = true
	}
	key, err := NewKey(filepath.Join(h.dir, "host_key"), "")
	if err != nil {
		return err
	}
	h.HostKey = key
	var cfg bytes.Buffer
	err = sshdConfig.Execute(&cfg, sshdParams{Port: h.Port, Addr: h.Addr, Dir: h.dir, AuthorizedKeys: authorizedKeys,
		AliveInterval: opts.ClientAliveInterval, AliveCountMax: max(opts.ClientAliveCountMax, 1)})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(h.dir, "sshd_config"), cfg.Bytes(), 0o600); err != nil {
		return err
	}
	h.hide, h.shell = opts.Hide, opts.LoginShell
	if opts.NoGit {
		h.hide = append(h.hide, "/usr/bin/git")
	}
	return h.launch()
}

func (h *Host) launch() error {
	// Each host gets its own /var/www and its own root home, so that a
	// server is clean: the machine's own ~/.bashrc does not run in it.
	home := filepath.Join(h.dir, "root")
	if err := os.MkdirAll(home, 0o700); err != nil {
		return err
	}
	binds := ""
	if len(h.hide) > 0 {
		empty := filepath.Join(h.dir, "hidden")
		if err := os.WriteFile(empty, nil, 0o644); err != nil {
			return err
		}
		for _, p := range h.hide {
			binds += fmt.Sprintf("mount --bind %s %s && ", empty, p)
		}
	}
	if h.shell != "" {
		passwd, err := h.passwdWithShell()
		if err != nil {
			return err
		}
		binds += fmt.Sprintf("mount --bind %s /etc/passwd && ", passwd)
	}
	script := fmt.Sprintf("mount --bind %s %s && mount --bind %s /root && %sexec /usr/sbin/sshd -D -f %s/sshd_config -E %s",
		h.Root, DeployRoot, home, binds, h.dir, h.log)
	args := []string{"unshare", "--mount", "--propagation", "private", "sh", "-c", script}
	if h.netns != "" {
		args = append([]string{"ip", "netns", "exec", h.netns}, args...)
	}
	h.cmd = exec.Command(args[0], args[1:]...)
	h.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var stderr bytes.Buffer
	h.cmd.Stderr = &stderr
	if err := h.cmd.Start(); err != nil {
		return err
	}
	if err := h.waitReady(); err != nil {
		h.Stop()
		log, _ := os.ReadFile(h.log)
		return fmt.Errorf("sshd %s on port %d did not start: %v\n%s%s", h.Name, h.Port, err, stderr.String(), log)
	}
	ns, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/mnt", h.cmd.Process.Pid))
	if err != nil {
		return err
	}
	// Holding the namespace open keeps its number from being given to
	// another host's namespace once this sshd is killed (a test may kill
	// it): Stop would then kill that other host's processes.
	if h.nsHold, err = os.Open(fmt.Sprintf("/proc/%d/ns/mnt", h.cmd.Process.Pid)); err != nil {
		return err
	}
	h.mntNS = ns
	for i := 0; i < 100 && h.netns == "" && h.logged() == 0; i++ {
		time.Sleep(10 * time.Millisecond) // sshd logs the probe's connection a moment after
	}
	h.probes = h.logged()
	return nil
}

// passwdWithShell writes the machine's /etc/passwd with root's login
// shell replaced, for the host to see as its own.
func (h *Host) passwdWithShell() (string, error) {
	b, err := os.ReadFile("/etc/passwd")
	if err != nil {
		return "", err
	}
	lines := strings.Split(string(b), "\n")
	for i, l := range lines {
		if f := strings.Split(l, ":"); len(f) == 7 && f[0] == "root" {
			f[6] = h.shell
			lines[i] = strings.Join(f, ":")
		}
	}
	path := filepath.Join(h.dir, "passwd")
	return path, os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644)
}

// waitReady waits for the sshd banner, or for sshd to exit.
func (h *Host) waitReady() error {
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if ok := h.Answers(); ok {
			return nil
		}
		if h.cmd.ProcessState != nil {
			return fmt.Errorf("sshd exited")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("no banner within 15s")
}

// Answers reports whether the host's sshd sends its banner now.
func (h *Host) Answers() bool {
	if h.netns != "" { // not reachable from here; trust the log
		b, _ := os.ReadFile(h.log)
		return bytes.Contains(b, []byte("Server listening"))
	}
	conn, err := net.DialTimeout("tcp", net.JoinHostPort(h.Addr, strconv.Itoa(h.Port)), time.Second)
	if err != nil {
		return false
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(time.Second))
	line, _ := bufio.NewReader(conn).ReadString('\n')
	return strings.HasPrefix(line, "SSH-")
}

// Stop kills every process in the host's namespace: its sshd and every
// session and command it started; nothing else.
// It may be called more than once, from a test and from its cleanup.
func (h *Host) Stop() {
	h.stop.Do(func() {
		for _, pid := range h.processes() {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		if h.cmd != nil && h.cmd.Process != nil {
			syscall.Kill(-h.cmd.Process.Pid, syscall.SIGKILL)
			h.cmd.Wait()
		}
		if h.tmpfs {
			unmountTmpfs(h.Root)
		}
		if h.nsHold != nil {
			h.nsHold.Close()
		}
	})
}

// KillSessions kills the host's connection handlers and their commands,
// leaving the listening sshd: what a dropped connection looks like.
func (h *Host) KillSessions() {
	for _, pid := range h.processes() {
		if pid != h.cmd.Process.Pid {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// processes lists the pids whose mount namespace is the host's.
func (h *Host) processes() []int {
	if h.mntNS == "" {
		return nil
	}
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ns, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/mnt", pid)); err == nil && ns == h.mntNS {
			pids = append(pids, pid)
		}
	}
	return pids
}

// Pid is the pid of the host's listening sshd, the parent of every
// session and command it runs (the benchmark traces it to count them).
func (h *Host) Pid() int { return h.cmd.Process.Pid }

// Connections counts the TCP connections sshd accepted since it was
// ready, leaving out the harness's own readiness check.
func (h *Host) Connections() int { return h.logged() - h.probes }

func (h *Host) logged() int {
	b, _ := os.ReadFile(h.log)
	return bytes.Count(b, []byte("Connection from "))
}

// Path is where the file the host sees at /var/www/rel lives here.
func (h *Host) Path(rel string) string {
	return filepath.Join(h.Root, strings.TrimPrefix(rel, DeployRoot))
}

// Home is what the host sees as /root.
func (h *Host) Home() string { return filepath.Join(h.dir, "root") }

// Log returns what sshd logged, for failure messages.
func (h *Host) Log() string {
	b, _ := os.ReadFile(h.log)
	return string(b)
}
