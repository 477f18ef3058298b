package output

import (
	"sort"
	"strings"
)

// Secret is what a secret value prints as.
const Secret = "[secret]"

// secrets are the values an Output never prints. emit masks every
// event's text with them, on the one write path, so no formatter or log
// file can forget them.
type secrets struct {
	values []string // longest first, so a secret inside another is masked as part of it
}

func (s *secrets) add(values ...string) {
	for _, v := range values {
		if v == "" || s.has(v) {
			continue // an empty value would mask nothing, everywhere
		}
		s.values = append(s.values, v)
	}
	sort.SliceStable(s.values, func(i, j int) bool { return len(s.values[i]) > len(s.values[j]) })
}

func (s *secrets) has(v string) bool {
	for _, have := range s.values {
		if have == v {
			return true
		}
	}
	return false
}

func (s *secrets) mask(text string) string {
	for _, v := range s.values {
		if strings.Contains(text, v) {
			text = strings.ReplaceAll(text, v, Secret)
		}
	}
	return text
}

// SetSecrets adds values that are printed as [secret] from now on, in
// everything this Output writes.
func (o *Output) SetSecrets(values ...string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.secrets.add(values...)
}

// Mask returns text with every secret replaced by [secret], for what is
// printed without this Output: the final error, hints on stderr.
func (o *Output) Mask(text string) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.secrets.mask(text)
}
