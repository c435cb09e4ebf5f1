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
	p.Wait(func() bool { return true })
	p.Wait(func() bool { t.Fatal("a Pace disarmed by Wait called stop"); return true })
	p.Arm()
	p.Disarm()
	p.Wait(func() bool { t.Fatal("a disarmed Pace called stop"); return true })
}

// TestPaceWaitsForTheInterval: an armed Pace whose stop never reports true
// returns no sooner than PaceInterval after Arm, and asks stop as it waits.
func TestPaceWaitsForTheInterval(t *testing.T) {
	var p Pace
	p.Arm()
	asked := 0
	p.Wait(func() bool { asked++; return false })
	if d := time.Since(p.at); d < PaceInterval {
		t.Fatalf("Wait returned %v after Arm, before PaceInterval (%v)", d, PaceInterval)
	}
	if asked == 0 {
		t.Fatal("Wait never called stop")
	}
}

// TestPaceStops: an armed Pace returns as soon as stop reports true.
func TestPaceStops(t *testing.T) {
	var p Pace
	p.Arm()
	asked := 0
	p.Wait(func() bool { asked++; return asked == 3 })
	if asked != 3 {
		t.Fatalf("stop called %d times, want 3 (Wait goes on after true, or stops early)", asked)
	}
}

// TestPaceInABubble: in a synctest bubble, whose clock stands still while
// the goroutine runs, an armed Pace returns instead of spinning forever.
func TestPaceInABubble(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var p Pace
		p.Arm()
		asked := 0
		p.Wait(func() bool { asked++; return false })
		if asked == 0 {
			t.Fatal("Wait never called stop")
		}
	})
}
