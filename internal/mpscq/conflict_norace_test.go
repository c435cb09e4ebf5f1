// The consumer that loses the race zeroes the slots it read, a plain write
// that the winner's plain read of the same slot races with: the race
// detector reports that misuse, which is what this file exercises, so it is
// left out of -race builds (TestConsumerRacePointerFree runs the same races
// on values without pointers, which nothing writes, under the detector).

//go:build !race

package mpscq

import "testing"

// TestConsumerRacePointers: two consumers at once (a misuse) on values with
// pointers: no value is received twice, Conflict is reported, and at most
// the values the loser read are lost (see Ring and List).
func TestConsumerRacePointers(t *testing.T) {
	testConsumerRace(t, func(k uint64) *uint64 { return &k }, func(v *uint64) uint64 {
		if v == nil {
			return 0
		}
		return *v
	}, false)
}
