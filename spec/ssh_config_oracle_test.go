package spec

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// The oracle: for each config, luacap ssh-config HOST and OpenSSH's
// ssh -G -F FILE HOST agree on every key luacap uses, or luacap refuses
// the config with an error naming the file and line. Never a silent
// difference.

// oracleKeys are the keys luacap uses, in ssh -G's names.
var oracleKeys = []string{"hostname", "user", "port", "identityfile", "identitiesonly", "certificatefile",
	"identityagent", "proxyjump", "proxycommand", "userknownhostsfile", "globalknownhostsfile",
	"stricthostkeychecking", "serveraliveinterval", "serveralivecountmax", "connecttimeout", "forwardagent"}

// byDesign are ssh's defaults that luacap replaces with its own when the
// config does not set the key: where ssh shows its default, luacap shows
// the same (set explicitly) or its own.
var byDesign = map[string][2]string{
	"identityfile":        {"~/.ssh/id_rsa ~/.ssh/id_ecdsa ~/.ssh/id_ecdsa_sk ~/.ssh/id_ed25519 ~/.ssh/id_ed25519_sk ~/.ssh/id_xmss ~/.ssh/id_dsa", "~/.ssh/id_ed25519 ~/.ssh/id_ecdsa ~/.ssh/id_rsa"},
	"identityagent":       {"", oracleAgent},
	"serveraliveinterval": {"0", "10"},
	"connecttimeout":      {"none", "30"},
}

const oracleAgent = "/tmp/luacap-oracle-agent.sock"

type oracleCase struct {
	name   string
	config string            // {{dir}}: the case's directory; {{rel}}: it, relative to ~/.ssh
	files  map[string]string // more files in the directory
	hosts  []string
	refuse string // luacap's error for a directive it does not read
}

var oracleCorpus = []oracleCase{
	{name: "first value wins across blocks", hosts: []string{"a", "b"}, config: `
Host a
  Port 2201
  User first
Host *
  Port 2299
  User last
  HostName %h.fallback
`},
	{name: "Host negation and wildcards", hosts: []string{"web1", "web12", "db.example.com", "admin"}, config: `
Host * !admin
  User deploy
Host web?
  Port 2001
Host *.example.com web*
  Port 2002
Host admin
  Port 2003
`},
	{name: "HostName tokens and case", hosts: []string{"app", "APP", "Mixed"}, config: `
Host app
  HostName %h.internal
Host APP
  HostName UPPER.%h.Example
Host Mixed
  HostName %h.Example
`},
	{name: "syntax: key=value, quotes, comments, case of keywords", hosts: []string{"q"}, config: `
# a comment
HOST q
  port=2022
  USER = "deploy user"   # trailing comment
  identityfile "/keys/with space" 
	IdentitiesOnly yes
`},
	{name: "IdentityFile and CertificateFile accumulate", hosts: []string{"k"}, config: `
Host k
  IdentityFile ~/.ssh/k_%h_%r
  CertificateFile ~/.ssh/k-cert.pub
Host *
  IdentityFile /keys/shared
  CertificateFile /keys/shared-cert.pub
  IdentitiesOnly no
`},
	{name: "known_hosts: first line wins, several files on it, tokens", hosts: []string{"kh"}, config: `
Host kh
  User deploy
  Port 2200
  UserKnownHostsFile ~/kh/%h %d/%r/%u/%n/%p/%% /abs/%i/%l/%L/%k/%C
  GlobalKnownHostsFile /g/one /g/two
Host *
  UserKnownHostsFile /never
  GlobalKnownHostsFile /never
`},
	{name: "StrictHostKeyChecking values", hosts: []string{"s1", "s2", "s3", "s4", "s5"}, config: `
Host s1
  StrictHostKeyChecking yes
Host s2
  StrictHostKeyChecking no
Host s3
  StrictHostKeyChecking accept-new
Host s4
  StrictHostKeyChecking ask
Host *
  StrictHostKeyChecking off
`},
	{name: "ProxyJump chain, none wins when first", hosts: []string{"pj", "nojump", "other"}, config: `
Host pj
  ProxyJump ops@bastion:2200,inner
Host nojump
  ProxyJump none
Host *
  ProxyJump gate
`},
	{name: "ProxyCommand and ProxyJump: the first wins", hosts: []string{"c1", "c2", "c3", "c4"}, config: `
Host c1
  ProxyCommand ssh -W %h:%p jump
  ProxyJump never
Host c2
  ProxyJump first
  ProxyCommand never %h
Host c3
  ProxyCommand none
  ProxyJump never
Host c4
  ProxyJump none
  ProxyCommand sh -c "exec nc %h %p" # ssh keeps the rest of the line
`},
	{name: "IdentityAgent: path with tokens, none, SSH_AUTH_SOCK", hosts: []string{"ia1", "ia2", "ia3", "ia4"}, config: `
Host ia1
  IdentityAgent ~/.ssh/agent-%h-%r.sock
Host ia2
  IdentityAgent none
Host ia3
  IdentityAgent SSH_AUTH_SOCK
Host ia4
  IdentityAgent ${HOME}/env.sock
`},
	{name: "keepalive and timeouts, ssh's time format", hosts: []string{"t1", "t2", "t3"}, config: `
Host t1
  ServerAliveInterval 15
  ServerAliveCountMax 6
  ConnectTimeout 5
Host t2
  ServerAliveInterval 1m30s
  ConnectTimeout 2m
Host t3
  ServerAliveInterval 0
Host *
  ServerAliveInterval 99
  ForwardAgent yes
`},
	{name: "Match host sees the canonical HostName", hosts: []string{"alias", "real.example"}, config: `
Host alias
  HostName Real.Example
Match host real.example
  User canon
Match host alias
  Port 2999
`},
	{name: "Match originalhost sees the alias", hosts: []string{"alias"}, config: `
Host alias
  HostName real.example
Match originalhost alias
  Port 2100
Match originalhost real.example
  User never
`},
	{name: "Match user, before and after User", hosts: []string{"u"}, config: `
Match user deploy
  Port 2001
Host u
  User deploy
Match user deploy,admin
  IdentityFile /keys/deploy
Match user root
  Port 2002
`},
	{name: "Match localuser", hosts: []string{"lu"}, config: `
Match localuser nobody
  Port 2001
Match localuser root,someone
  User from-localuser
`},
	{name: "Match exec with tokens", hosts: []string{"ex", "ey"}, config: `
Match exec "test %h = ex"
  Port 2001
Match exec "/bin/false"
  User never
Match exec "test %n%%%r = ey%%root"
  User exec-tokens
`},
	{name: "Match all and negated criteria", hosts: []string{"a", "b", "c"}, config: `
Match !host a,b
  Port 2003
Match host a !user nobody
  Port 2001
Match all
  User everyone
`},
	{name: "Match final: a second pass on the resolved name", hosts: []string{"short", "other"}, config: `
Host short
  HostName Long.Example
Host long.example
  Port 2200
Match canonical
  User canonical
Match final host long.example
  IdentityFile /keys/final
Match final
  GlobalKnownHostsFile /final/known
`},
	{name: "Include: absolute glob, in order", hosts: []string{"inc"}, files: map[string]string{
		"conf.d/10-a.conf": "Host inc\n  Port 2010\n",
		"conf.d/20-b.conf": "Host inc\n  Port 2020\n  User from-b\n",
		"conf.d/skip.txt":  "Host inc\n  User never\n",
	}, config: `
Include {{dir}}/conf.d/*.conf
Host inc
  User never
`},
	{name: "Include: relative to ~/.ssh, inside a Host block", hosts: []string{"r1", "r2"}, files: map[string]string{
		"rel.conf": "User included\nHost r2\n  Port 2002\n",
	}, config: `
Host r1
  Include {{rel}}/rel.conf
Host *
  Port 2001
  User outside
`},
	{name: "Include ends the included file's Host block", hosts: []string{"e"}, files: map[string]string{
		"blocks.conf": "Host nothere\n  Port 2009\n",
	}, config: `
Host e
  Include {{dir}}/blocks.conf
  User after-include
`},
	{name: "percent and tilde in IdentityFile stay as written", hosts: []string{"id"}, config: `
Host id
  IdentityFile ~/.ssh/id_%h_%%
  IdentityFile %d/.ssh/id_%u
`},
	{name: "Host patterns: several on one line, case counts", hosts: []string{"x1", "X1", "y2"}, config: `
Host x? y?
  User patterned
Host X1
  Port 2001
`},
	{name: "ForwardAgent and IdentitiesOnly first wins", hosts: []string{"f"}, config: `
Host f
  ForwardAgent no
  IdentitiesOnly yes
Host *
  ForwardAgent yes
  IdentitiesOnly no
`},
	{name: "keys luacap does not use are ignored", hosts: []string{"ign"}, config: `
Host ign
  Compression yes
  SendEnv LANG
  ControlMaster auto
  Port 2001
`},
	{name: "refused: CanonicalizeHostname always, under Match", hosts: []string{"ln"}, refuse: ":2: CanonicalizeHostname always is not supported by luacap", config: `
Match originalhost ln
  CanonicalizeHostname always
  Port 2001
`},
	{name: "refused: CanonicalizeHostname", hosts: []string{"cn"}, refuse: ":3: CanonicalizeHostname yes is not supported by luacap", config: `
Host cn
  User u
  CanonicalizeHostname yes
`},
	{name: "refused: ForwardAgent with a socket path", hosts: []string{"fa"}, refuse: `:2: ForwardAgent "/tmp/other.sock"`, config: `
Host fa
  ForwardAgent /tmp/other.sock
`},
}

func TestSSHConfigMatchesOpenSSH(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("ssh"); err != nil {
		t.Skip("no ssh client: the oracle is missing")
	}
	if len(oracleCorpus) < 25 {
		t.Fatalf("the corpus has %d configs; it should have at least 25", len(oracleCorpus))
	}
	for _, tc := range oracleCorpus {
		t.Run(tc.name, func(t *testing.T) {
			file := writeOracleConfig(t, tc)
			dir := harness.WriteDeployfile(t, fmt.Sprintf("set(\"ssh_options\", { config = %q })\n", file))
			for _, host := range tc.hosts {
				want := sshG(t, file, host)
				r := harness.Run(t, luacap, dir, "/root", []string{"SSH_AUTH_SOCK=" + oracleAgent}, "ssh-config", host)
				if tc.refuse != "" {
					if r.Code == 0 || !strings.Contains(r.Stderr, file+tc.refuse) {
						t.Errorf("%s: want luacap to refuse with %q, got exit %d:\n%s", host, file+tc.refuse, r.Code, r.Output())
					}
					continue
				}
				if r.Code != 0 {
					t.Fatalf("%s: luacap ssh-config exited %d:\n%s", host, r.Code, r.Output())
				}
				compareOracle(t, host, want, parseG(r.Stdout))
			}
		})
	}
}

// writeOracleConfig writes the config and its files into a directory
// under ~/.ssh (relative Include names start there, for ssh and luacap).
func writeOracleConfig(t *testing.T, tc oracleCase) string {
	t.Helper()
	if err := os.MkdirAll("/root/.ssh", 0o700); err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("/root/.ssh", "luacap-oracle-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	for name, body := range tc.files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		writeFile(t, p, body)
	}
	r := strings.NewReplacer("{{dir}}", dir, "{{rel}}", filepath.Base(dir))
	file := filepath.Join(dir, "config")
	writeFile(t, file, r.Replace(strings.TrimPrefix(tc.config, "\n")))
	return file
}

// sshG is OpenSSH's reading of file for host.
func sshG(t *testing.T, file, host string) map[string][]string {
	t.Helper()
	cmd := exec.Command("ssh", "-G", "-F", file, host)
	cmd.Env = []string{"HOME=/root", "USER=root", "PATH=" + os.Getenv("PATH"), "SSH_AUTH_SOCK=" + oracleAgent}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ssh -G -F %s %s: %v (the corpus must be valid for OpenSSH)", file, host, err)
	}
	return parseG(string(out))
}

func parseG(out string) map[string][]string {
	m := map[string][]string{}
	for _, line := range strings.Split(out, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, _ := strings.Cut(line, " ")
		k = strings.ToLower(k)
		m[k] = append(m[k], v)
	}
	return m
}

// compareOracle compares the keys luacap uses. Where the config leaves a
// key to ssh's default, luacap shows its own default (byDesign); ssh's
// "ask" is luacap's "true" (it cannot ask mid-run and refuses), and
// IdentityAgent SSH_AUTH_SOCK is the socket that variable names.
func compareOracle(t *testing.T, host string, ssh, got map[string][]string) {
	t.Helper()
	for _, k := range oracleKeys {
		want := strings.Join(ssh[k], " ")
		have := strings.Join(got[k], " ")
		if d, ok := byDesign[k]; ok && want == d[0] && have == d[1] {
			want = d[1]
		}
		switch {
		case k == "stricthostkeychecking" && want == "ask":
			want = "true"
		case k == "identityagent" && want == "SSH_AUTH_SOCK":
			want = oracleAgent
		}
		if want != have {
			t.Errorf("%s: %s: ssh -G says %q, luacap says %q", host, k, want, have)
		}
	}
	if !slices.Equal(ssh["identityfile"], got["identityfile"]) && len(got["identityfile"]) == 0 {
		t.Errorf("%s: luacap shows no identityfile", host)
	}
}
