package stdlib

import (
	"fmt"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// MaxReleaseName is the longest release name accepted.
const MaxReleaseName = 64

// ReleaseNameRule is how an invalid release name's error ends.
const ReleaseNameRule = "a release name is one path segment of letters, digits, '.', '_' and '-'"

// OpenRelease opens luacap.release: the rules release names follow.
func OpenRelease(L *lua.LState) int {
	L.Push(L.SetFuncs(L.NewTable(), map[string]lua.LGFunction{
		"valid_release_name": releaseValidName,
	}))
	return 1
}

// valid_release_name(name) -> true | false, reason. Recipes use it on
// names that come from servers before they build paths from them.
func releaseValidName(L *lua.LState) int {
	v := L.CheckAny(1)
	s, ok := v.(lua.LString)
	if !ok {
		L.Push(lua.LFalse)
		L.Push(lua.LString(fmt.Sprintf("it is a %s, not a string", v.Type())))
		return 2
	}
	if reason := ReleaseNameProblem(string(s)); reason != "" {
		L.Push(lua.LFalse)
		L.Push(lua.LString(reason))
		return 2
	}
	L.Push(lua.LTrue)
	return 1
}

// ReleaseNameProblem says why name cannot be a release name, or returns
// "" when it can. A release name becomes releases/<name> on every host
// and is removed with rm -rf by cleanup and rollback, so it must be one
// plain path segment: never empty, "..", a path or a shell word.
func ReleaseNameProblem(name string) string {
	switch {
	case name == "":
		return "it is empty"
	case name == "." || name == "..":
		return fmt.Sprintf("%q names a directory, not a release", name)
	case strings.Contains(name, "/"):
		return "it holds '/', so it is more than one path segment"
	case len(name) > MaxReleaseName:
		return fmt.Sprintf("it is %d bytes long, more than %d", len(name), MaxReleaseName)
	}
	for i, r := range name {
		switch {
		case i == 0 && !isAlnum(r):
			return fmt.Sprintf("it starts with %q; the first character must be a letter or a digit", r)
		case !isAlnum(r) && r != '.' && r != '_' && r != '-':
			return fmt.Sprintf("it holds %q at byte %d", r, i+1)
		}
	}
	return ""
}

// isAlnum is an ASCII letter or digit: other scripts' letters are refused
// too, as a shell or a filesystem may not treat them alike.
func isAlnum(c rune) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
