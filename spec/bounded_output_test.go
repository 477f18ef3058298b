package spec

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// BenchmarkOutput200MB measures luacap's peak RSS while a command on a
// real host prints 200 MB, to stdout and (failing) to stderr: the output
// is streamed, never held whole. Quoted in the report as rss-MB.
//
//	go test ./spec -run '^$' -bench Output200MB -benchtime 1x
func BenchmarkOutput200MB(b *testing.B) {
	for name, cmd := range map[string]string{
		"stdout":        "head -c 200000000 /dev/zero | tr '\\\\0' x | fold -w 100",
		"stderr-failed": "head -c 200000000 /dev/zero | tr '\\\\0' x | fold -w 100 >&2; exit 3",
	} {
		b.Run(name, func(b *testing.B) {
			c := harness.Start(b, 1, harness.Options{})
			dir := harness.WriteDeployfile(b, preamble(c, map[string]string{"h1": `"app"`})+
				`task("flood", function() execute("`+cmd+`") end)`)
			var rss, msg int64
			for i := 0; i < b.N; i++ {
				r := harness.Run(b, luacap, dir, c.Home(), nil, "flood", "--log", "-", "--format", "verbose") // every line printed
				if (r.Code != 0) != strings.HasPrefix(name, "stderr") {
					b.Fatalf("exit %d: %s", r.Code, outputEnd(r.Output()))
				}
				rss, msg = max(rss, r.MaxRSSKiB), int64(len(r.Stderr))
			}
			b.ReportMetric(float64(rss)/1024, "rss-MB")
			b.ReportMetric(float64(msg)/1024, "stderr-KiB")
		})
	}
}

func outputEnd(s string) string { return s[max(0, len(s)-2000):] }

// A failing command's error quotes the end of its stderr, a few KiB
// whatever its size, and says how much it cut; the whole stream was
// printed as it came.
func TestAFailedCommandsErrorQuotesTheEndOfItsStderr(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	for _, size := range []int{100, 3000, 3 << 20} {
		src := preamble(c, map[string]string{"h1": `"app"`}) + `
task("fail", function() execute("head -c ` + strconv.Itoa(size) + ` /dev/zero | tr '\\0' e | fold -w 64 >&2; echo LAST-LINE >&2; exit 3") end)`
		r := runLuacap(t, c, src, nil, "fail", "-q", "--log", "-")
		if r.Code != 1 {
			t.Fatalf("exit %d, want 1:\n%s", r.Code, outputEnd(r.Output()))
		}
		final := r.Stderr[strings.LastIndex(r.Stderr, "luacap: "):]
		if !strings.Contains(final, "LAST-LINE") {
			t.Errorf("stderr of %d bytes: the error does not quote its last line:\n%s", size, outputEnd(final))
		}
		if len(final) > 8<<10 {
			t.Errorf("stderr of %d bytes: the error is %d bytes", size, len(final))
		}
		if cut := size > 4<<10; cut != strings.Contains(final, "bytes before them cut") {
			t.Errorf("stderr of %d bytes: says it cut: %v, want %v:\n%s", size, !cut, cut, outputEnd(final))
		}
	}
}

// Control characters from a server reach the terminal escaped; capture()
// returns them byte for byte.
func TestServerControlCharactersAreEscapedButCapturedExactly(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	dir := t.TempDir()
	got := filepath.Join(dir, "captured")
	src := preamble(c, map[string]string{"h1": `"app"`}) + `
local evil = "printf 'title\\033]0;owned\\007 clear\\033[2J bell\\007 cr\\rback del\\177 tab\\tend\\n'"
task("show", function()
  execute(evil)
  on(roles("app"), function() local f = io.open("` + got + `", "wb"); f:write(capture(evil)); f:close() end)
end)`
	r := runLuacap(t, c, src, nil, "show", "--format", "verbose", "--log", "-")
	mustSucceed(t, r)
	for _, b := range []byte(r.Output()) {
		if (b < 0x20 && b != '\n' && b != '\t') || b == 0x7f {
			t.Fatalf("byte %#x reached the terminal:\n%q", b, r.Output())
		}
	}
	if !strings.Contains(r.Stdout, `title\x1b]0;owned\a clear\x1b[2J bell\a cr\rback del\x7f tab`) {
		t.Errorf("the line is not shown escaped:\n%s", r.Stdout)
	}
	want := "title\x1b]0;owned\x07 clear\x1b[2J bell\x07 cr\rback del\x7f tab\tend"
	if b, err := os.ReadFile(got); err != nil || string(b) != want {
		t.Errorf("capture() returned %q (%v), want %q byte for byte", b, err, want)
	}
}
