package runner

import (
	"reflect"
	"testing"
)

func TestBatches(t *testing.T) {
	tests := []struct {
		p    Policy
		n    int
		want [][]int
	}{
		{Policy{Mode: Parallel}, 3, [][]int{{0, 1, 2}}},
		{Policy{Mode: Sequence}, 3, [][]int{{0}, {1}, {2}}},
		{Policy{Mode: Groups, Limit: 2}, 5, [][]int{{0, 1}, {2, 3}, {4}}},
		{Policy{Mode: Parallel}, 0, nil},
	}
	for _, tt := range tests {
		if got := tt.p.Batches(tt.n); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%+v.Batches(%d) = %v, want %v", tt.p, tt.n, got, tt.want)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		p    Policy
		want string
	}{
		{Policy{Mode: Parallel}, ""},
		{Policy{Mode: Groups}, `mode="groups" needs limit, a number of hosts of at least 1`},
		{Policy{Mode: "random"}, `mode="random" is not a policy; use "parallel", "sequence" or "groups"`},
		{Policy{Mode: Sequence, Wait: -1}, "wait must not be negative"},
	}
	for _, tt := range tests {
		err := tt.p.Validate()
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%+v.Validate() = %q, want %q", tt.p, got, tt.want)
		}
	}
}
