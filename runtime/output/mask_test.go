package output

import (
	"strings"
	"testing"
)

// A secret is masked wherever it appears, however often, and inside or
// around other secrets; an empty secret masks nothing.
func TestMaskReplacesEverySecret(t *testing.T) {
	var o Output
	o.SetSecrets("hunter2", "", "hunter2-long", "p@ss w'rd")
	cases := map[string]string{
		"export DB_PASSWORD=hunter2":          "export DB_PASSWORD=[secret]",
		"hunter2hunter2":                      "[secret][secret]",
		"token hunter2-long end":              "token [secret] end",
		"it is p@ss w'rd, quoted 'p@ss w'rd'": "it is [secret], quoted '[secret]'",
		"nothing to hide":                     "nothing to hide",
		"":                                    "",
	}
	for in, want := range cases {
		if got := o.Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
	if strings.Contains(o.mask("x hunter2"), "hunter2") {
		t.Error("the emit call point does not mask")
	}
}
