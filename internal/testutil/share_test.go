package testutil

import (
	"slices"
	"testing"
)

func TestShare(t *testing.T) {
	for _, tc := range []struct {
		n, workers int
		want       []int
	}{
		{0, 3, []int{0, 0, 0}},
		{2, 3, []int{2, 0, 0}},
		{7, 1, []int{7}},
		{9, 3, []int{3, 3, 3}},
		{11, 4, []int{5, 2, 2, 2}},
	} {
		var got []int
		for i := range tc.workers {
			got = append(got, Share(tc.n, tc.workers, i))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("Share(%d, %d, i) for each i = %v, want %v", tc.n, tc.workers, got, tc.want)
		}
	}
}
