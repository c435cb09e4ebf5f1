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

// TestBet: a Bet yields while its yields pay; after one that did not, it
// skips 1, 3, 7, ... and at most MaxSkip waits between two bets, without
// calling ready; a yield that pays starts over.
func TestBet(t *testing.T) {
	var b Bet
	calls := 0
	ready := func(ok bool) func() bool {
		return func() bool { calls++; return ok }
	}
	for i := range 5 {
		if !b.Yield(ready(true)) {
			t.Fatalf("bet %d: a paying Bet did not report ready", i)
		}
	}
	if calls != 5 {
		t.Fatalf("ready called %d times in 5 paying bets", calls)
	}
	// Misses: count the waits skipped between two bets.
	want := 1
	for round := range 10 {
		calls = 0
		if b.Yield(ready(false)) {
			t.Fatalf("round %d: a missed bet reported ready", round)
		}
		skipped := 0
		for b.Yield(ready(true)) == false {
			skipped++
			if skipped > MaxSkip {
				t.Fatalf("round %d: more than MaxSkip=%d waits skipped", round, MaxSkip)
			}
		}
		// The last Yield was a bet again, which paid: start the count
		// from a miss once more, at the next level.
		if calls != 2 {
			t.Fatalf("round %d: ready called %d times, want once per bet (2)", round, calls)
		}
		if skipped != want {
			t.Fatalf("round %d: skipped %d waits after a miss, want %d", round, skipped, want)
		}
		// A paid bet starts over: the next miss skips one wait.
		want = 1
	}
	// Consecutive misses: the waits skipped between two bets go 1, 3, 7,
	// ... up to MaxSkip, and stay there.
	b = Bet{}
	var gaps []int
	gap := -1
	for len(gaps) < 10 {
		calls = 0
		b.Yield(ready(false))
		if calls == 1 { // a bet, which missed
			if gap >= 0 {
				gaps = append(gaps, gap)
			}
			gap = 0
		} else {
			gap++
		}
	}
	want = 1
	for i, g := range gaps {
		if g != want {
			t.Fatalf("waits skipped between bets %d and %d = %d, want %d (gaps %v)", i, i+1, g, want, gaps)
		}
		want = min(2*want+1, MaxSkip)
	}
}
