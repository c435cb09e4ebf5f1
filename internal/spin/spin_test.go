package spin

import "testing"

func TestStreak(t *testing.T) {
	var s Streak
	if s.Streaming() {
		t.Fatal("zero Streak is streaming")
	}
	for i := range StreamMin - 1 {
		s.Took(1)
		if s.Streaming() {
			t.Fatalf("streaming after %d values", i+1)
		}
	}
	s.Took(StreamMin - 1)
	s.Took(1)
	if !s.Streaming() {
		t.Fatalf("not streaming after %d values", StreamMin)
	}
	if s.Streaming() {
		t.Fatal("Streaming did not start a new count")
	}
}

// TestIdle: Idle allows IdleYields yields in a row without progress, and
// starts counting anew whenever the progress counter moves.
func TestIdle(t *testing.T) {
	var y Idle
	y.Start(7)
	for i := range IdleYields {
		if !y.Yield(7) {
			t.Fatalf("gave up after %d idle yields", i)
		}
	}
	if y.Yield(7) {
		t.Fatalf("yielded more than %d times without progress", IdleYields)
	}
	y.Start(7)
	for i := range 10 * IdleYields {
		if !y.Yield(uint64(8 + i)) {
			t.Fatalf("gave up at yield %d although progress moved each time", i)
		}
	}
	if !y.Yield(100) {
		t.Fatal("gave up although progress moved")
	}
	for range IdleYields {
		if !y.Yield(100) {
			t.Fatal("gave up too early after progress stopped")
		}
	}
	if y.Yield(100) {
		t.Fatal("did not give up once progress stopped")
	}
}
