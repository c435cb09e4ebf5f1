package mpscq

import "testing"

// TestRingHolds: Holds(k) reports whether the k values after the
// consumer's position are written, with k capped at half the capacity,
// and follows the consumer as it moves.
func TestRingHolds(t *testing.T) {
	const capacity, half = 7, 4 // rounded up to 8 slots: the cap, not the array, bounds k
	q := NewRing[int](capacity)
	for i := range half {
		if q.Holds(i+1) || q.Holds(100) {
			t.Fatalf("a ring of %d values holds %d, or 100 capped at %d", i, i+1, half)
		}
		if st := q.TryEnqueue(i); st != OK {
			t.Fatalf("TryEnqueue(%d): %v", i, st)
		}
		if !q.Holds(i + 1) {
			t.Fatalf("a ring of %d values does not hold %d", i+1, i+1)
		}
	}
	if !q.Holds(100) {
		t.Fatalf("a ring of %d values does not hold 100, capped at half its capacity", half)
	}
	if _, st := q.TryDequeue(); st != OK {
		t.Fatalf("TryDequeue: %v", st)
	}
	if q.Holds(half) || !q.Holds(half-1) {
		t.Fatal("Holds does not follow the consumer's position")
	}
	q.TryEnqueue(half)
	if !q.Holds(half) {
		t.Fatal("Holds does not see a value written after the consumer moved")
	}
}
