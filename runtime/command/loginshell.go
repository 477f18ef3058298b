package command

import (
	"fmt"
	"strings"
)

// PrintfFormat is s as printf's format, for StartSh: each byte that the
// user's login shell, sh's double quotes or printf would not take as it
// is (a quote, a backslash, $, `, %, !, a new line, any byte that is not
// printable ASCII) as an octal escape. csh ends a quoted string at a new
// line and fish reads backslashes inside single quotes; an octal escape
// is read alike by every shell. PrintfFormat(a+b) is
// PrintfFormat(a)+PrintfFormat(b).
func PrintfFormat(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < ' ' || c > '~' || strings.IndexByte("'\"\\$`%!", c) >= 0 {
			fmt.Fprintf(&b, `\%03o`, c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// StartSh is an exec request's command that has sh run the script format
// prints. sshd runs the command with the user's login shell, which may be
// csh or fish; the script reaches sh as written whichever it is.
func StartSh(format string) string {
	return `exec sh -c 'eval "$(printf "` + format + `")"'`
}
