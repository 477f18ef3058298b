package netssh

import (
	"fmt"
	"strings"
)

// Lines are the settings as ssh -G prints them, with its lower-case
// names: one "key value" a line, IdentityFile and CertificateFile once
// per file. StrictHostKeyChecking "ask" shows as "true": luacap cannot
// ask mid-run and refuses an unknown key, as with yes.
func (hc *HostConfig) Lines() []string {
	yn := map[bool]string{true: "yes", false: "no"}
	out := []string{"hostname " + hc.Hostname, "user " + hc.User, fmt.Sprintf("port %d", hc.Port)}
	for _, f := range hc.IdentityFiles {
		out = append(out, "identityfile "+f)
	}
	out = append(out, "identitiesonly "+yn[hc.IdentitiesOnly])
	for _, f := range hc.CertificateFiles {
		out = append(out, "certificatefile "+f)
	}
	agent := hc.IdentityAgent
	if agent == "" || agent == "SSH_AUTH_SOCK" {
		agent = firstNonEmpty(agentSocket(agent), "none")
	}
	out = append(out, "identityagent "+agent)
	if hc.ProxyJump != "" && hc.ProxyJump != "none" {
		out = append(out, "proxyjump "+hc.ProxyJump)
	}
	if hc.ProxyCommand != "" && hc.ProxyCommand != "none" {
		out = append(out, "proxycommand "+hc.ProxyCommand)
	}
	strict := hc.StrictHostKey
	if strict == "ask" {
		strict = "true"
	}
	return append(out,
		"userknownhostsfile "+strings.Join(hc.UserKnownHosts, " "),
		"globalknownhostsfile "+strings.Join(hc.GlobalKnownHosts, " "),
		"stricthostkeychecking "+strict,
		fmt.Sprintf("serveraliveinterval %d", hc.ServerAliveInterval),
		fmt.Sprintf("serveralivecountmax %d", hc.ServerAliveCountMax),
		fmt.Sprintf("connecttimeout %d", hc.ConnectTimeout),
		"forwardagent "+yn[hc.ForwardAgent],
	)
}
