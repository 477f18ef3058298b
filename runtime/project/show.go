package project

import (
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Show returns a task's Lua source for luacap --show, with the file and
// line it comes from, after the definitions of the locals it uses from
// the same file (helper functions and the values they use in turn), so
// that what it prints runs when pasted into a Deployfile.
func (p *Project) Show(name string) (string, error) {
	t, ok := p.Tasks.Lookup(name)
	if !ok {
		return "", &UsageError{Err: p.Tasks.Unknown(name)}
	}
	file, lineText, _ := strings.Cut(t.Where, ":")
	line, _ := strconv.Atoi(lineText)
	lines, err := p.sourceLines(file)
	if err != nil || line < 1 || line > len(lines) {
		return fmt.Sprintf("-- %s is defined at %s\n", t.Name, t.Where), nil
	}
	first, last := line, max(line, t.Lines[1])
	if first > 1 && strings.HasPrefix(strings.TrimSpace(lines[first-2]), "desc(") {
		first--
	}
	fn, _ := t.Body.(*lua.LFunction)
	locals := &localFinder{file: file, lines: lines, seen: map[string]bool{}}
	locals.uses(fn, line)
	body := lines[first-1 : min(last, len(lines))]
	var b strings.Builder
	if len(locals.spans) == 0 && len(locals.unshown) == 0 {
		fmt.Fprintf(&b, "-- %s, from %s\n", t.Name, t.Where)
		b.WriteString(strings.Join(inNamespace(t.Name, line-first, body), "\n") + "\n")
		return b.String(), nil
	}
	fmt.Fprintf(&b, "-- %s, from %s, after the locals it uses\n", t.Name, t.Where)
	for _, s := range locals.merged() {
		fmt.Fprintf(&b, "-- %s:%d\n%s\n\n", file, s[0], strings.Join(lines[s[0]-1:s[1]], "\n"))
	}
	if len(locals.unshown) > 0 {
		fmt.Fprintf(&b, "-- it also uses %s: locals of the code around it in %s\n", strings.Join(locals.unshown, ", "), file)
	}
	fmt.Fprintf(&b, "-- %s:%d\n%s\n", file, first, strings.Join(inNamespace(t.Name, line-first, body), "\n"))
	return b.String(), nil
}

// taskCall reads the name a task() call gives, in its first line.
var taskCall = regexp.MustCompile(`task\(\s*"([^"]+)"`)

// inNamespace wraps the lines of a task defined inside namespace()
// blocks (its line is body[at]) in the namespace, so that, pasted, it
// defines the task of the same full name.
func inNamespace(full string, at int, body []string) []string {
	m := taskCall.FindStringSubmatch(body[at])
	if m == nil || m[1] == full || !strings.HasSuffix(full, ":"+m[1]) {
		return body
	}
	ns := strings.TrimSuffix(full, ":"+m[1])
	return append(append([]string{fmt.Sprintf("namespace(%q, function()", ns)}, body...), "end)")
}

// localFinder finds where the upvalues of a task's function, and of the
// helpers it calls, are defined in its file.
type localFinder struct {
	file    string
	lines   []string
	seen    map[string]bool
	spans   [][2]int // first and last line of each definition
	unshown []string // upvalues with no definition found
}

// uses records the definitions of fn's upvalues; at is the line fn is
// defined on, where the search for a local's definition starts upwards.
func (f *localFinder) uses(fn *lua.LFunction, at int) {
	if fn == nil || fn.IsG || fn.Proto == nil {
		return
	}
	for i, name := range fn.Proto.DbgUpvalues {
		if f.seen[name] || i >= len(fn.Upvalues) {
			continue
		}
		f.seen[name] = true
		helper, ok := fn.Upvalues[i].Value().(*lua.LFunction)
		if ok && !helper.IsG && helper.Proto.SourceName == f.file && helper.Proto.LineDefined > 0 {
			f.spans = append(f.spans, [2]int{helper.Proto.LineDefined, helper.Proto.LastLineDefined})
			f.uses(helper, helper.Proto.LineDefined)
			continue
		}
		if span, found := f.declaration(name, at); found {
			f.spans = append(f.spans, span)
			continue
		}
		f.unshown = append(f.unshown, name)
	}
}

// localDecl matches "local a, b = ..." and "local function a(".
var localDecl = regexp.MustCompile(`^\s*local\s+(?:function\s+)?([\w\s,]+?)\s*(?:=|\(|$)`)

// declaration finds the nearest "local name" above line at, and the
// lines of its statement: until its brackets close.
func (f *localFinder) declaration(name string, at int) ([2]int, bool) {
	for i := min(at, len(f.lines)) - 1; i >= 0; i-- {
		m := localDecl.FindStringSubmatch(f.lines[i])
		if m == nil {
			continue
		}
		for _, n := range strings.Split(m[1], ",") {
			if strings.TrimSpace(n) == name {
				return [2]int{i + 1, f.statementEnd(i)}, true
			}
		}
	}
	return [2]int{}, false
}

// quoted drops Lua strings, whose brackets do not count.
var quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|--.*$`)

func (f *localFinder) statementEnd(i int) int {
	depth := 0
	for j := i; j < len(f.lines); j++ {
		code := quoted.ReplaceAllString(f.lines[j], "")
		depth += strings.Count(code, "(") + strings.Count(code, "{") + strings.Count(code, "[") -
			strings.Count(code, ")") - strings.Count(code, "}") - strings.Count(code, "]")
		if depth <= 0 && !continues(code) {
			return j + 1
		}
	}
	return i + 1
}

// continues reports whether a line of code ends in an operator, so the
// statement goes on on the next line ("a" ..).
func continues(code string) bool {
	code = strings.TrimSpace(code)
	for _, op := range []string{"..", ",", "=", "+", "-", "*", "/", " and", " or", " not"} {
		if strings.HasSuffix(code, op) {
			return true
		}
	}
	return false
}

// merged returns the definitions in file order, overlapping and
// adjacent ones joined.
func (f *localFinder) merged() [][2]int {
	spans := append([][2]int(nil), f.spans...)
	sort.Slice(spans, func(i, j int) bool { return spans[i][0] < spans[j][0] })
	var out [][2]int
	for _, s := range spans {
		if n := len(out); n > 0 && s[0] <= out[n-1][1]+1 { // adjacent: one block
			out[n-1][1] = max(out[n-1][1], s[1])
			continue
		}
		out = append(out, s)
	}
	return out
}

// sourceLines reads a task's file: a bundled recipe from the embedded
// recipes, any other from disk.
func (p *Project) sourceLines(file string) ([]string, error) {
	var src []byte
	var err error
	if rest, ok := strings.CutPrefix(file, recipePrefix); ok && p.recipes.fsys != nil && p.isBundled(file) {
		src, err = fs.ReadFile(p.recipes.fsys, rest)
	} else {
		src, err = os.ReadFile(file)
	}
	return strings.Split(string(src), "\n"), err
}
