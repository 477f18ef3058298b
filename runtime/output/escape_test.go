package output

import "testing"

// Every control character but newline and tab, DEL, the C1 controls and
// bytes that are not UTF-8 are escaped; printable text and unicode pass.
func TestEscapeEveryControlCharacter(t *testing.T) {
	for c := rune(0); c < 0xa0; c++ {
		in := "a" + string(c) + "b"
		got := Escape(in)
		keep := c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f)
		if keep && got != in {
			t.Errorf("Escape(%q) = %q, want it unchanged", in, got)
		}
		if !keep && got == in {
			t.Errorf("Escape(%q) left U+%04X as is", in, c)
		}
		for _, b := range []byte(got) {
			if (b < 0x20 && b != '\n' && b != '\t') || b == 0x7f {
				t.Errorf("Escape(%q) = %q still holds byte %#x", in, got, b)
			}
		}
	}
	for in, want := range map[string]string{
		"\x1b]0;owned\x07":   `\x1b]0;owned\a`,
		"ok\r":               `ok\r`,
		"bad \xff byte":      `bad \xff byte`,
		"héllo ☃ 日本":         "héllo ☃ 日本",
		"tab\there\nline":    "tab\there\nline",
		"\x1b[2J\x1b[31mred": `\x1b[2J\x1b[31mred`,
	} {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}
