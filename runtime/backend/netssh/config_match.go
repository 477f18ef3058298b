package netssh

import (
	"context"
	"fmt"
	"os/exec"
	"path"
	"strings"
	"time"
)

// matchPattern is ssh's match_pattern: "*" and "?" wildcards.
func matchPattern(s, pattern string) bool {
	ok, err := path.Match(pattern, s)
	if err == nil {
		return ok
	}
	return s == pattern // "[" and "\" are literal to ssh
}

// matchPatternList is ssh's match_pattern_list: a comma list where a
// matching "!pattern" refuses at once. It returns 1 (a match), 0 (none)
// or -1 (a negated match).
func matchPatternList(s, list string, fold bool) int {
	if fold {
		s, list = strings.ToLower(s), strings.ToLower(list)
	}
	got := 0
	for _, p := range strings.Split(list, ",") {
		neg := strings.HasPrefix(p, "!")
		if neg {
			p = p[1:]
		}
		if !matchPattern(s, p) {
			continue
		}
		if neg {
			return -1
		}
		got = 1
	}
	return got
}

// hostActive is a Host line: any matching "!pattern" turns the block off,
// else any matching pattern turns it on. Case counts, as in ssh.
func hostActive(host string, patterns []string) bool {
	on := false
	for _, p := range patterns {
		neg := strings.HasPrefix(p, "!")
		if neg {
			p = p[1:]
		}
		if matchPattern(host, p) {
			if neg {
				return false
			}
			on = true
		}
	}
	return on
}

// matchActive is a Match line (readconf.c match_cfg_line): every
// criterion must hold; "!" negates one.
func (ev *evaluator) matchActive(l *configLine) (bool, error) {
	args := l.args
	if len(args) == 0 {
		return false, fmt.Errorf("%s: Match needs a criterion, such as Match host NAME or Match all", l.where())
	}
	result := true
	for i := 0; i < len(args); i++ {
		crit, neg := strings.ToLower(args[i]), false
		if strings.HasPrefix(crit, "!") {
			crit, neg = crit[1:], true
		}
		var ok bool
		switch crit {
		case "all":
			ok = true
		case "canonical", "final":
			if crit == "final" {
				ev.wantFinal = true
			}
			ok = ev.final
		case "host", "originalhost", "user", "localuser", "exec":
			if i+1 >= len(args) {
				return false, fmt.Errorf("%s: Match %s needs a value", l.where(), crit)
			}
			i++
			var err error
			if ok, err = ev.criterion(l, crit, args[i]); err != nil {
				return false, err
			}
		default:
			return false, fmt.Errorf("%s: Match %s is not supported by luacap; the criteria it reads are all, canonical, final, host, originalhost, user, localuser and exec", l.where(), crit)
		}
		if ok == neg {
			result = false
		}
	}
	return result, nil
}

func (ev *evaluator) criterion(l *configLine, crit, arg string) (bool, error) {
	switch crit {
	case "host":
		return matchPatternList(ev.matchHost(), arg, true) == 1, nil
	case "originalhost":
		return matchPatternList(ev.hostArg, arg, true) == 1, nil
	case "user":
		return matchPatternList(ev.userSoFar(), arg, false) == 1, nil
	case "localuser":
		return matchPatternList(ev.local.user, arg, false) == 1, nil
	}
	return ev.matchExec(l, arg)
}

// matchHost is what "Match host" compares: HostName when one is set
// already (with %h expanded), else the host as given.
func (ev *evaluator) matchHost() string {
	if ev.hc.Hostname != "" {
		return strings.ReplaceAll(ev.hc.Hostname, "%h", ev.hostArg)
	}
	return ev.hostArg
}

func (ev *evaluator) userSoFar() string {
	if ev.hc.User != "" {
		return ev.hc.User
	}
	return ev.local.user
}

// execTimeout bounds a Match exec command, which ssh does not: a hung
// command must not hang the run.
const execTimeout = 30 * time.Second

// matchExec runs the command with sh, as ssh does; exit 0 is a match.
func (ev *evaluator) matchExec(l *configLine, cmd string) (bool, error) {
	if ev.neverMatch {
		return false, nil // ssh does not run it in an Include that cannot match
	}
	expanded, err := ev.expandTokens(cmd, l)
	if err != nil {
		return false, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), execTimeout)
	defer cancel()
	err = exec.CommandContext(ctx, "/bin/sh", "-c", expanded).Run()
	if ctx.Err() != nil {
		return false, fmt.Errorf("%s: Match exec %q did not finish within %v", l.where(), expanded, execTimeout)
	}
	return err == nil, nil
}
