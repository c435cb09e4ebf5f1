package eventcount_test

import (
	"context"
	"testing"
	"testing/synctest"

	"github.com/diatomic-go/diatomic/eventcount"
	"github.com/diatomic-go/diatomic/internal/testutil"
)

// handSlot is the hand of the hand-off tests: where NotifyHand puts a value.
type handSlot struct{ v int }

// give is the NotifyHand callback that puts v in a handSlot.
func give(v int) func(any) { return func(h any) { h.(*handSlot).v = v } }

// handed is what a CommitHand returned, with the value in its hand.
type handed struct {
	id, v  int
	handed bool
	err    error
}

// parkHand starts a waiter that parks in CommitHand with a handSlot of its own
// (or in Commit if plain), waits until it is parked, and returns where it
// reports.
func parkHand(t *testing.T, ec *eventcount.EventCount, ctx context.Context, id int, plain bool, out chan<- handed) {
	t.Helper()
	go func() {
		tk := ec.Prepare()
		if plain {
			out <- handed{id: id, err: ec.Commit(ctx, tk)}
			return
		}
		h := new(handSlot)
		ok, err := ec.CommitHand(ctx, tk, h)
		out <- handed{id, h.v, ok, err}
	}()
	synctest.Wait()
}

// TestNotifyHandFIFO: NotifyHand gives each value to the waiter parked
// longest, which CommitHand reports handed, with the value in its hand.
func TestNotifyHandFIFO(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ec eventcount.EventCount
		out := make(chan handed, 3)
		for i := range 3 {
			parkHand(t, &ec, t.Context(), i, false, out)
		}
		for i := range 3 {
			if !ec.NotifyHand(give(10 + i)) {
				t.Fatalf("NotifyHand %d reported false with a waiter parked", i)
			}
			synctest.Wait()
			if r := testutil.Recv(t, out, "a handed waiter"); r != (handed{i, 10 + i, true, nil}) {
				t.Fatalf("hand-off %d: %+v, want waiter %d handed %d", i, r, i, 10+i)
			}
			assertNone(t, out, "NotifyHand woke more than one waiter")
		}
		if w := ec.Waiters(); w != 0 {
			t.Fatalf("Waiters() = %d after every waiter was handed a value", w)
		}
	})
}

// TestNotifyHandRefuses: with nobody parked, or with a waiter prepared but
// not parked, or with the longest-parked waiter in Commit, NotifyHand
// calls nothing, wakes nobody and reports false; in particular it releases
// no prepared waiter, as NotifyOne would.
func TestNotifyHandRefuses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ec eventcount.EventCount
		refuse := func(when string) {
			t.Helper()
			if ec.NotifyHand(func(any) { t.Fatalf("%s: give was called", when) }) {
				t.Fatalf("%s: NotifyHand reported true", when)
			}
		}
		refuse("nobody waiting")
		tk := ec.Prepare()
		refuse("a waiter prepared")
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if ok, err := ec.CommitHand(ctx, tk, new(handSlot)); ok || err != context.Canceled {
			t.Fatalf("CommitHand after a refused NotifyHand = %v, %v; want false, context.Canceled (not released)", ok, err)
		}

		out := make(chan handed, 2)
		parkHand(t, &ec, t.Context(), 0, true, out) // parked in Commit: no hand
		parkHand(t, &ec, t.Context(), 1, false, out)
		refuse("the head parked in Commit")
		synctest.Wait()
		assertNone(t, out, "a refused NotifyHand woke a waiter")
		ec.NotifyOne() // the head, which has no hand
		synctest.Wait()
		if r := testutil.Recv(t, out, "the plain waiter"); r != (handed{id: 0}) {
			t.Fatalf("NotifyOne woke %+v, want the plain waiter, not handed", r)
		}
		ec.NotifyOne() // a hand waiter woken without a hand-off: not handed
		synctest.Wait()
		if r := testutil.Recv(t, out, "the hand waiter"); r != (handed{id: 1}) {
			t.Fatalf("NotifyOne woke %+v, want waiter 1, not handed", r)
		}
	})
}

// TestHandWinsOverContext: a waiter handed a value whose context ends
// before it runs still reports the value handed, with a nil error, and
// passes nothing on: the next waiter stays parked. (Its Park takes the
// token the hand-off stored before it sees the cancellation; the race in
// which the cancellation comes first is TestHandRacesCancel's.)
func TestHandWinsOverContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ec eventcount.EventCount
		ctx, cancel := context.WithCancel(t.Context())
		out := make(chan handed, 2)
		parkHand(t, &ec, ctx, 0, false, out)
		parkHand(t, &ec, t.Context(), 1, false, out)
		if !ec.NotifyHand(give(7)) {
			t.Fatal("NotifyHand reported false with a waiter parked")
		}
		cancel()
		synctest.Wait()
		if r := testutil.Recv(t, out, "the handed waiter"); r != (handed{0, 7, true, nil}) {
			t.Fatalf("the handed, cancelled waiter returned %+v, want the value, handed, nil error", r)
		}
		assertNone(t, out, "a handed waiter that was cancelled passed a wake-up on")
		if p := ec.Parked(); p != 1 {
			t.Fatalf("Parked() = %d, want the second waiter still parked", p)
		}
		ec.NotifyAll()
		synctest.Wait()
		if r := testutil.Recv(t, out, "the second waiter"); r != (handed{id: 1}) {
			t.Fatalf("NotifyAll woke %+v", r)
		}
	})
}

// TestHandRacesCancel: a waiter's context ends, and a NotifyHand runs at
// once, racing the waiter's way out (its Park sees the cancellation, looks
// for the token once more, then leaves the queue under the lock). Either
// the hand-off comes first and the waiter returns the value, handed, with a
// nil error (Park's last look finds the token, or leave finds the record
// handed: TestLeaveAfterHanded makes that step alone), or the waiter leaves
// first and NotifyHand finds nobody; never a hand-off reported to the
// notifier and lost by the waiter.
func TestHandRacesCancel(t *testing.T) {
	rounds, first := 300, 0
	for i := range rounds {
		synctest.Test(t, func(t *testing.T) {
			var ec eventcount.EventCount
			ctx, cancel := context.WithCancel(t.Context())
			out := make(chan handed, 1)
			parkHand(t, &ec, ctx, 0, false, out)
			cancel()
			ok := ec.NotifyHand(give(i))
			r := testutil.Recv(t, out, "the cancelled waiter")
			switch {
			case ok && r != (handed{0, i, true, nil}):
				t.Fatalf("round %d: NotifyHand reported a hand-off, and the waiter returned %+v", i, r)
			case !ok && (r.handed || r.err != context.Canceled):
				t.Fatalf("round %d: NotifyHand found nobody, and the waiter returned %+v", i, r)
			case ok:
				first++
			}
			if w := ec.Waiters(); w != 0 {
				t.Fatalf("round %d: Waiters() = %d", i, w)
			}
		})
	}
	t.Logf("the hand-off came first in %d of %d rounds", first, rounds)
}

// TestCommitHandNilHandPanics: a nil hand panics before anything changes:
// the Ticket is still to be ended.
func TestCommitHandNilHandPanics(t *testing.T) {
	var ec eventcount.EventCount
	tk := ec.Prepare()
	func() {
		defer func() {
			if r := recover(); r != "eventcount: CommitHand with a nil hand" {
				t.Fatalf("recovered %v", r)
			}
		}()
		_, _ = ec.CommitHand(t.Context(), tk, nil)
	}()
	if w := ec.Waiters(); w != 1 {
		t.Fatalf("Waiters() = %d after the panic, want 1 (the Ticket unchanged)", w)
	}
	ec.Cancel(tk)
}
