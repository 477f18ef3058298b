package engine

import (
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

var (
	codeSpan   = regexp.MustCompile("`([^`]+)`")
	moduleCall = regexp.MustCompile(`^require\("([\w.]+)"\)\.(\w+)\(`)
	globalCall = regexp.MustCompile(`^([A-Za-z_]\w*)\(`)
)

// readmeVerbs are the verbs the first column of the README's table under
// "## The DSL" names (each code span there starts with a call), and the
// spans there that are not calls.
func readmeVerbs(readme string) (names, bad []string) {
	_, section, ok := strings.Cut(readme, "\n## The DSL\n")
	if !ok {
		return nil, []string{`no "## The DSL" section`}
	}
	section, _, _ = strings.Cut(section, "\n## ")
	for _, row := range strings.Split(section, "\n") {
		if !strings.HasPrefix(row, "| `") {
			continue
		}
		first, _, _ := strings.Cut(row[2:], " | ")
		for _, span := range codeSpan.FindAllStringSubmatch(first, -1) {
			if m := moduleCall.FindStringSubmatch(span[1]); m != nil {
				names = append(names, m[1]+"."+m[2])
			} else if m := globalCall.FindStringSubmatch(span[1]); m != nil {
				names = append(names, m[1])
			} else {
				bad = append(bad, span[1])
			}
		}
	}
	sort.Strings(names)
	return slices.Compact(names), bad
}

func TestReadmeVerbs(t *testing.T) {
	head := "# x\n\n## The DSL\n\n| verb | what it does |\n| --- | --- |\n"
	tests := []struct {
		name, rows string
		names, bad []string
	}{
		{"calls in the first column", "| `set(a, b)`, `fetch(\"x\")` | `fn(host)` in the second is not read |\n", []string{"fetch", "set"}, nil},
		{"an escaped pipe", "| `on(h, {mode=\"a\"\\|\"b\"}, fn(host))` | runs |\n", []string{"on"}, nil},
		{"a module function", "| `require(\"luacap.shell\").quote(w)` | quotes |\n", []string{"luacap.shell.quote"}, nil},
		{"repeats count once", "| `run(cmd)` | x |\n| `run(cmd, {pty = true})` | y |\n", []string{"run"}, nil},
		{"a span that is no call", "| `host.name`, `ok()` | x |\n", []string{"ok"}, []string{"host.name"}},
		{"the next section is not read", "| `a()` | x |\n\n## Next\n\n| `b()` | y |\n", []string{"a"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			names, bad := readmeVerbs(head + tt.rows)
			if !reflect.DeepEqual(names, tt.names) || !reflect.DeepEqual(bad, tt.bad) {
				t.Errorf("got %q, bad %q; want %q, bad %q", names, bad, tt.names, tt.bad)
			}
		})
	}
}

// TestReadmeListsEveryVerb: the README's table of verbs names every global
// and module function of verbs.go, and nothing else.
func TestReadmeListsEveryVerb(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	got, bad := readmeVerbs(string(readme))
	for _, b := range bad {
		t.Errorf("README.md, the table of verbs (## The DSL): %s is not a call of a verb", b)
	}
	want := namesOf(Global, Plain, Checked, Field)
	for _, g := range got {
		if !slices.Contains(want, g) {
			t.Errorf("README.md's table of verbs names %s, which verbs.go does not list", g)
		}
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("README.md's table of verbs (## The DSL) does not name %s: add it to a row's first column", w)
		}
	}
}
