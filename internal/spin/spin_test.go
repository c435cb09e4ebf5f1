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

// TestBet: a Bet bets while its bets pay; after one that did not, it skips
// 1, 3, 7, ... and at most MaxSkip waits between two bets; a bet that pays
// starts over.
func TestBet(t *testing.T) {
	var b Bet
	// bet makes one decision: on reports whether it bet, and a bet settles
	// as paid.
	bet := func(paid bool) bool {
		s, on := b.on()
		if on {
			b.settle(s, paid)
		}
		return on
	}
	for i := range 5 {
		if !bet(true) {
			t.Fatalf("decision %d: a Bet whose bets pay skipped", i)
		}
	}
	// Misses in a row: the waits skipped between two bets go 1, 3, 7, ...
	// up to MaxSkip, and stay there.
	var gaps []int
	gap := -1
	for len(gaps) < 10 {
		if bet(false) {
			if gap >= 0 {
				gaps = append(gaps, gap)
			}
			gap = 0
		} else {
			gap++
		}
	}
	want := 1
	for i, g := range gaps {
		if g != want {
			t.Fatalf("waits skipped between bets %d and %d = %d, want %d (gaps %v)", i, i+1, g, want, gaps)
		}
		want = min(2*want+1, MaxSkip)
	}
	// A bet that pays starts over: bets on every wait, and a miss then
	// skips one wait.
	for bet(true) == false {
	}
	for i := range 3 {
		if !bet(true) {
			t.Fatalf("decision %d after a paid bet: skipped", i)
		}
	}
	if !bet(false) || bet(true) || !bet(true) {
		t.Fatal("a miss after paid bets did not skip exactly one wait")
	}
}

// TestBetTimesWhileUnsure: a Bet times every bet until TrustAfter in a row
// have paid, then one in TrustAfter; a miss makes it time every bet again.
func TestBetTimesWhileUnsure(t *testing.T) {
	var b Bet
	// timings settles n bets as paid, skipping the waits the Bet skips,
	// and reports which of the bets were timed.
	timings := func(n int) []bool {
		var ts []bool
		for len(ts) < n {
			if s, on := b.on(); on {
				ts = append(ts, timed(s))
				b.settle(s, true)
			}
		}
		return ts
	}
	check := func(what string, ts []bool) {
		t.Helper()
		for i, tm := range ts {
			if want := i < TrustAfter || i%TrustAfter == 0; tm != want {
				t.Fatalf("%s, bet %d: timed = %v, want %v", what, i, tm, want)
			}
		}
	}
	check("from the zero Bet", timings(5*TrustAfter))
	s, _ := b.on()
	b.settle(s, false)
	check("after a miss", timings(3*TrustAfter))
}

// TestBetYield: Yield reports exactly what ready reported, so that a
// predicate with side effects (taking a value) is never ignored, and calls
// it at most once; a skipped wait does not call it.
func TestBetYield(t *testing.T) {
	var b Bet
	for i := range 4 * MaxSkip {
		calls := 0
		result := i%3 == 0
		got := b.Yield(func() bool { calls++; return result })
		switch {
		case calls > 1:
			t.Fatalf("Yield %d called ready %d times", i, calls)
		case calls == 1 && got != result:
			t.Fatalf("Yield %d = %v, ready said %v", i, got, result)
		case calls == 0 && got:
			t.Fatalf("Yield %d reported true without calling ready", i)
		}
	}
}
