package output

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Escape makes text from a server safe for a terminal: control
// characters other than newline and tab, and bytes that are not UTF-8,
// are written as Go escapes (\x1b, \r, \x7f, \xff), so a server cannot
// move the cursor, retitle the window or hide a line. Text without any
// is returned as is.
func Escape(text string) string {
	if clean(text) {
		return text
	}
	var b strings.Builder
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, text[i])
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			b.WriteString(strings.Trim(fmt.Sprintf("%q", r), "'"))
		default:
			b.WriteString(text[i : i+size])
		}
		i += size
	}
	return b.String()
}

// clean reports text with nothing to escape, non-ASCII aside: the
// common case, kept cheap.
func clean(text string) bool {
	for i := 0; i < len(text); i++ {
		if c := text[i]; (c < 0x20 && c != '\n' && c != '\t') || c >= 0x7f {
			return false
		}
	}
	return true
}
