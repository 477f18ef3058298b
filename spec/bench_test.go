package spec

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/luacap/luacap/spec/harness"
)

// BenchmarkExecute200 times a luacap run of 200 execute("true") per host,
// on 1 host and on 16 in parallel, start-up and connecting included.
//
//	go test ./spec -run '^$' -bench Execute200 -benchtime 5x
func BenchmarkExecute200(b *testing.B) {
	for _, n := range []int{1, 16} {
		b.Run(fmt.Sprintf("hosts=%d", n), func(b *testing.B) {
			c := harness.Start(b, n, harness.Options{})
			roles := map[string]string{}
			for _, h := range c.Hosts {
				roles[h.Name] = `"app"`
			}
			src := preamble(c, roles) + `
task("bench", function() on(roles("app"), function() for i = 1, 200 do execute("true") end end) end)`
			dir := harness.WriteDeployfile(b, src)
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				r := harness.Run(b, luacap, dir, c.Home(), nil, "bench", "-q")
				if r.Code != 0 {
					b.Fatalf("exit %d: %s", r.Code, r.Output())
				}
				if !strings.Contains(r.Stdout, "bench") {
					b.Fatalf("no summary: %s", r.Stdout)
				}
			}
			per := time.Since(start) / time.Duration(b.N)
			b.ReportMetric(float64(per.Microseconds())/200/1000, "ms/command")
		})
	}
}
