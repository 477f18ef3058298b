package engine

import (
	"errors"
	"strings"
	"testing"
)

func TestOnPolicies(t *testing.T) {
	tests := []struct{ opts, want string }{
		{`{ ["in"] = "sequence" }`, "start h1,end h1,start h2,end h2,start h3,end h3"},
		{`{ ["in"] = "groups", limit = 2, wait = 0.01 }`, "start h1,start h2,end h1,end h2,start h3,end h3"},
	}
	for _, tt := range tests {
		r := load(t, localHosts+`
task("x", function()
  on(roles("all"), `+tt.opts+`, function(h)
    table.insert(trace, "start " .. h.name)
    execute("sleep 0.05")
    table.insert(trace, "end " .. h.name)
  end)
end)`)
		r.mustRun(t, "x")
		got := r.trace()
		if strings.Contains(tt.opts, "groups") { // within a group, hosts start and end in either order
			got = normaliseGroup(got)
		}
		if strings.Join(got, ",") != tt.want {
			t.Errorf("on(%s): %s, want %s", tt.opts, strings.Join(got, ","), tt.want)
		}
	}
}

// normaliseGroup sorts each run of adjacent "start …" or "end …" entries,
// whose order within a group of parallel hosts is not fixed.
func normaliseGroup(s []string) []string {
	out := append([]string(nil), s...)
	for i := 0; i < len(out); {
		j := i
		for j < len(out) && strings.Fields(out[j])[0] == strings.Fields(out[i])[0] {
			j++
		}
		sortHosts(out[i:j])
		i = j
	}
	return out
}

func TestOnErrorContinueDropsFailedHosts(t *testing.T) {
	r := load(t, localHosts+`
task("flaky", { on_error = "continue" }, function()
  on(roles("all"), function(h) if h.name == "h2" then execute("exit 4") end end)
end)
task("after", function()
  on(roles("all"), function(h) table.insert(trace, "after on " .. h.name) end)
end)`)
	err := r.run("flaky", "after")
	var te *TaskError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "hosts dropped after failures: h2") {
		t.Errorf("error = %v, want the dropped host named and a failure", err)
	}
	got := r.trace()
	if strings.Join(normaliseGroup(sortHosts(got)), ",") != "after on h1,after on h3" {
		t.Errorf("after the failure ran on %v, want h1 and h3", got)
	}
	if !strings.Contains(r.out.String(), "warning: h2: command failed with exit status 4") {
		t.Errorf("the failure was not reported:\n%s", r.out)
	}
}

func sortHosts(s []string) []string {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s
}
