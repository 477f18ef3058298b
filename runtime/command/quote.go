// Package command builds the shell strings luacap sends to hosts. Every
// string a backend runs comes from Build, so quoting lives in one place.
package command

import "strings"

// safeChars never need quoting in a POSIX shell word.
const safeChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%_+=:,./-"

// Quote returns s as one shell word. Words that need no quoting are left
// alone so that printed commands stay readable.
func Quote(s string) string {
	if s == "" {
		return "''"
	}
	if strings.Trim(s, safeChars) == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Join quotes each argument and joins them with spaces.
func Join(args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = Quote(a)
	}
	return strings.Join(quoted, " ")
}
