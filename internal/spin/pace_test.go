package spin

import (
	"testing"
	"testing/synctest"
	"time"
)

// TestPaceUnarmed: a Pace that is not armed returns at once, without
// asking stop, and so does one that Wait has disarmed.
func TestPaceUnarmed(t *testing.T) {
	var p Pace
	p.Wait(func() bool { t.Fatal("an unarmed Pace called stop"); return true })
	p.Arm()
	if !p.Armed() {
		t.Fatal("Arm left the Pace unarmed")
	}
	p.Wait(func() bool { return true })
	if p.Armed() {
		t.Fatal("Wait left the Pace armed")
	}
	p.Wait(func() bool { t.Fatal("a Pace disarmed by Wait called stop"); return true })
}

// TestPaceWaitsForTheInterval: an armed Pace whose stop never reports true
// returns no sooner than PaceInterval after Arm, on a clock fine enough to
// time it (two reads in a row differ); on a coarser one it returns at its
// first look, which the loop below stands for.
func TestPaceWaitsForTheInterval(t *testing.T) {
	var p Pace
	p.Arm()
	fine := time.Now().After(p.at)
	p.Wait(func() bool { return false })
	if d := time.Since(p.at); fine && d < PaceInterval {
		t.Fatalf("Wait returned %v after Arm, before PaceInterval (%v)", d, PaceInterval)
	}
}

// TestPaceStops: an armed Pace asks stop before it first looks at the
// clock, and returns as soon as stop reports true, without asking again.
func TestPaceStops(t *testing.T) {
	var p Pace
	p.Arm()
	asked := 0
	p.Wait(func() bool { asked++; return true })
	if asked != 1 {
		t.Fatalf("stop called %d times, want 1", asked)
	}
}

// TestPaceInABubble: in a synctest bubble, whose clock stands still while
// the goroutine runs, an armed Pace returns after its first two looks at
// the clock instead of spinning; a stop called a million times fails the
// test rather than letting it spin until the test binary's timeout.
func TestPaceInABubble(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var p Pace
		p.Arm()
		asked := 0
		p.Wait(func() bool {
			if asked++; asked == 1e6 {
				t.Error("an armed Pace spins on a clock that stands still")
				return true
			}
			return false
		})
	})
}
