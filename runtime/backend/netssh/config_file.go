package netssh

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
)

// configLine is one directive of an ssh_config file, read as OpenSSH's
// readconf.c reads it: keyword case-insensitive, "key value" or
// "key=value", arguments split on blanks with quotes, "#" a comment.
type configLine struct {
	file     string
	num      int
	key      string        // lower case
	args     []string      // split and unquoted
	raw      string        // the rest of the line, for ProxyCommand
	included []*configFile // Include: the files it names, read
}

func (l *configLine) where() string { return fmt.Sprintf("%s:%d", l.file, l.num) }

// configFile is a parsed ssh_config file.
type configFile struct {
	path  string
	lines []*configLine
}

// maxIncludeDepth is OpenSSH's READCONF_MAX_DEPTH.
const maxIncludeDepth = 16

// parse reads and parses path. Include directives are read at once:
// relative names are under ~/.ssh for user files and /etc/ssh for the
// system file, as in ssh, and globs that match nothing are no error.
func (r *configReader) parse(path string, system bool, depth int) (*configFile, error) {
	if depth > maxIncludeDepth {
		return nil, fmt.Errorf("%s: Include nested more than %d deep (a loop?)", path, maxIncludeDepth)
	}
	b, err := r.read(path)
	if err != nil {
		return nil, err
	}
	f := &configFile{path: path}
	for i, text := range strings.Split(string(b), "\n") {
		l, err := parseConfigLine(path, i+1, text)
		if err != nil {
			return nil, err
		}
		if l == nil {
			continue
		}
		if l.key == "include" {
			if l.included, err = r.includes(l, system, depth); err != nil {
				return nil, err
			}
		}
		f.lines = append(f.lines, l)
	}
	return f, nil
}

func (r *configReader) includes(l *configLine, system bool, depth int) ([]*configFile, error) {
	if len(l.args) == 0 {
		return nil, fmt.Errorf("%s: Include needs a file name", l.where())
	}
	var out []*configFile
	for _, arg := range l.args {
		pattern := expandTilde(arg)
		if !filepath.IsAbs(pattern) {
			dir := filepath.Join(home(), ".ssh")
			if system {
				dir = "/etc/ssh"
			}
			pattern = filepath.Join(dir, pattern)
		}
		names, err := filepath.Glob(pattern)
		if err != nil {
			return nil, fmt.Errorf("%s: Include %q: %v", l.where(), arg, err)
		}
		sort.Strings(names)
		for _, name := range names {
			f, err := r.file(name, system, depth+1)
			if err != nil {
				return nil, fmt.Errorf("%s: Include %s: %w", l.where(), name, err)
			}
			out = append(out, f)
		}
	}
	return out, nil
}

// parseConfigLine returns nil for a blank line or a comment.
func parseConfigLine(file string, num int, text string) (*configLine, error) {
	text = strings.TrimRight(text, "\r")
	s := strings.TrimLeft(text, " \t")
	if s == "" || s[0] == '#' {
		return nil, nil
	}
	end := strings.IndexAny(s, " \t=")
	if end < 0 {
		end = len(s)
	}
	l := &configLine{file: file, num: num, key: strings.ToLower(s[:end])}
	rest := strings.TrimLeft(s[end:], " \t")
	if strings.HasPrefix(rest, "=") {
		rest = strings.TrimLeft(rest[1:], " \t")
	}
	l.raw = strings.TrimRight(rest, " \t")
	args, err := splitArgs(rest)
	if err != nil {
		return nil, fmt.Errorf("%s:%d: %v", file, num, err)
	}
	l.args = args
	return l, nil
}

// splitArgs splits on blanks; "..." and '...' group, a backslash quotes
// the next character, and an unquoted "#" starting a word ends the line.
func splitArgs(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	inWord := false
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote == 0 && (c == '"' || c == '\''):
			quote, inWord = c, true
		case c == '\\' && i+1 < len(s) && quote != '\'':
			i++
			cur.WriteByte(s[i])
			inWord = true
		case quote == 0 && (c == ' ' || c == '\t'):
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		case quote == 0 && c == '#' && !inWord:
			return out, nil
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unbalanced %c quote", quote)
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out, nil
}
