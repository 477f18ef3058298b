package spec

import (
	"os"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

var fourHosts = map[string]string{"h1": `"web"`, "h2": `"web"`, "h3": `"app"`, "h4": `"app"`}

func TestRolesAndPoliciesOnRealHosts(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 4, harness.Options{})
	src := preamble(c, fourHosts) + `
task("policies", function()
  on(roles("web"), function(h) execute("echo web-parallel " .. h.name .. " > /var/www/parallel") end)
  on(roles("app"), { ["in"] = "sequence" }, function(h)
    execute("date +%s%N > /var/www/seq-start; sleep 0.3; date +%s%N > /var/www/seq-end")
  end)
  on(roles("all"), { ["in"] = "groups", limit = 2 }, function(h) execute("echo grouped; hostname > /dev/null") end)
end)
task("everywhere", { roles = "app" }, function() run("echo ran on app") end)
`
	r := runLuacap(t, c, src, nil, "policies", "everywhere")
	mustSucceed(t, r)
	for _, h := range c.Hosts[:2] {
		b, err := os.ReadFile(h.Path("/var/www/parallel"))
		if err != nil || strings.TrimSpace(string(b)) != "web-parallel "+h.Name {
			t.Errorf("%s: /var/www/parallel = %q, %v", h.Name, b, err)
		}
	}
	for _, h := range c.Hosts[2:] {
		if _, err := os.Stat(h.Path("/var/www/parallel")); err == nil {
			t.Errorf("%s is not a web host but ran the web block", h.Name)
		}
	}
	h3end, h4start := readNumber(t, c.Host("h3").Path("/var/www/seq-end")), readNumber(t, c.Host("h4").Path("/var/www/seq-start"))
	if h4start < h3end {
		t.Errorf("in sequence, h4 started (%d) before h3 ended (%d)", h4start, h3end)
	}
	for _, want := range []string{"  h1 | grouped", "  h4 | grouped", "  h3 | ran on app", "  h4 | ran on app"} {
		if !strings.Contains(r.Stdout, want+"\n") {
			t.Errorf("output lacks %q:\n%s", want, r.Stdout)
		}
	}
	if strings.Contains(r.Stdout, "  h1 | ran on app") {
		t.Errorf("run() in an app task ran on a web host:\n%s", r.Stdout)
	}
}

func readNumber(t *testing.T, path string) int64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, ch := range strings.TrimSpace(string(b)) {
		n = n*10 + int64(ch-'0')
	}
	return n
}
