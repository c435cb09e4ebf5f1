package mpscq

import "testing"

// TestRingHolds: Holds(k) reports whether the last of the k values after
// the consumer's position is written, with k capped at half the capacity
// (not of the slot array: capacity 5 has 8 slots), and follows the
// consumer as it moves, lap after lap.
func TestRingHolds(t *testing.T) {
	const capacity, half = 5, 3
	q := NewRing[int](capacity)
	enqueue := func(v int) {
		t.Helper()
		if st := q.TryEnqueue(v); st != OK {
			t.Fatalf("TryEnqueue(%d): %v", v, st)
		}
	}
	for i := range half {
		if q.Holds(i+1) || q.Holds(100) {
			t.Fatalf("a ring of %d values holds %d, or 100 capped at %d", i, i+1, half)
		}
		enqueue(i)
		if !q.Holds(i + 1) {
			t.Fatalf("a ring of %d values does not hold %d", i+1, i+1)
		}
	}
	if !q.Holds(100) {
		t.Fatalf("a ring of %d values does not hold 100, capped at half its capacity", half)
	}
	// Laps: each slot holds an earlier lap's sequence number, which Holds
	// must not take for the current one.
	for v := half; v < 4*len(q.slots); v++ {
		if _, st := q.TryDequeue(); st != OK {
			t.Fatalf("TryDequeue: %v", st)
		}
		if q.Holds(half) || !q.Holds(half-1) {
			t.Fatalf("at position %d: Holds does not follow the consumer", v)
		}
		enqueue(v)
		if !q.Holds(half) {
			t.Fatalf("at position %d: Holds does not see the value written", v)
		}
	}
}
