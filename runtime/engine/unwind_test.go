package engine

import (
	"strings"
	"testing"

	"github.com/luacap/luacap/runtime/host"
)

func TestUndoBatches(t *testing.T) {
	h := func(name string) []*host.Host { return []*host.Host{{Name: name}} }
	cmd := func(hostName, where string) undo {
		return undo{hosts: h(hostName), cmd: "rm " + hostName, perHost: true, where: where}
	}
	taskLevel := undo{hosts: append(h("a"), h("b")...), cmd: "rm all", where: "x:9"}
	tests := []struct {
		name string
		list []undo
		want string // batches, last registered first, as "host+host|host"
	}{
		{"one line on three hosts is one step", []undo{cmd("a", "x:1"), cmd("b", "x:1"), cmd("c", "x:1")}, "c+b+a"},
		{"two lines stay in order", []undo{cmd("a", "x:1"), cmd("b", "x:1"), cmd("a", "x:2"), cmd("b", "x:2")}, "b+a|b+a"},
		{"a host twice from one line splits", []undo{cmd("a", "x:1"), cmd("a", "x:1"), cmd("b", "x:1")}, "b+a|a"},
		{"task-level commands go alone", []undo{cmd("a", "x:1"), taskLevel, cmd("b", "x:1")}, "b|a,b|a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var steps []string
			for _, b := range undoBatches(tt.list) {
				var names []string
				for _, u := range b {
					var hs []string
					for _, x := range u.hosts {
						hs = append(hs, x.Name)
					}
					names = append(names, strings.Join(hs, ","))
				}
				steps = append(steps, strings.Join(names, "+"))
			}
			if got := strings.Join(steps, "|"); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}
