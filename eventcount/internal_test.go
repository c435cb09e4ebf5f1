package eventcount

import (
	"context"
	"testing"
)

// The cancel-after-chosen hand-off, step by step: Commit's Park has returned
// ctx.Err(), and a NotifyOne dequeues the record before leave takes mu.
// These interleavings are the ones the stress test can only hit by chance.

func freeLen(e *EventCount) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.records.CountLocked()
}

func TestLeaveAfterChosenPassesOnToNextParked(t *testing.T) {
	for _, woken := range []bool{true, false} {
		var e EventCount
		a := e.enqueue(e.Prepare())
		b := e.enqueue(e.Prepare())
		// NotifyOne, with its Wake of a made (woken) or still pending.
		e.mu.Lock()
		chosen := e.chooseOneLocked()
		e.mu.Unlock()
		if chosen != a {
			t.Fatal("NotifyOne did not choose the longest-parked waiter")
		}
		if woken {
			a.Parker.Wake()
		}
		if err := e.leave(a, context.Canceled); err != context.Canceled {
			t.Fatalf("leave = %v, want context.Canceled", err)
		}
		if !woken {
			a.Parker.Wake() // the notifier's pending wake lands on a dropped record
		}
		if !b.Parker.TryPark() {
			t.Fatalf("woken=%v: the notification was not passed on to the next waiter", woken)
		}
		if e.queue.Len() != 0 || e.Waiters() != 0 {
			t.Fatalf("woken=%v: queue or count left behind: %d queued, Waiters()=%d", woken, e.queue.Len(), e.Waiters())
		}
		// a is reused only if its token was consumed in leave.
		want := 0
		if woken {
			want = 1
		}
		if freeLen(&e) != want {
			t.Fatalf("woken=%v: %d free records, want %d", woken, freeLen(&e), want)
		}
		checkInvariants(t, &e)
	}
}

func TestLeaveAfterChosenPassesOnToPrepared(t *testing.T) {
	var e EventCount
	a := e.enqueue(e.Prepare())
	prepared := e.Prepare()
	e.NotifyOne() // chooses a, which is then cancelled
	if err := e.leave(a, context.Canceled); err != context.Canceled {
		t.Fatalf("leave = %v", err)
	}
	// Nobody else is parked: the epoch moved, so the prepared waiter's
	// Commit returns without parking, even with a done context.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := e.Commit(ctx, prepared); err != nil {
		t.Fatalf("Commit of the prepared waiter = %v, want nil (notification passed on)", err)
	}
	if e.Waiters() != 0 {
		t.Fatalf("Waiters() = %d", e.Waiters())
	}
	checkInvariants(t, &e)
}

func TestLeaveAfterNotifyAllPassesNothingOn(t *testing.T) {
	var e EventCount
	a := e.enqueue(e.Prepare())
	b := e.enqueue(e.Prepare())
	e.NotifyAll()
	c := e.enqueue(e.Prepare()) // parks after the NotifyAll
	if err := e.leave(a, context.Canceled); err != context.Canceled {
		t.Fatalf("leave = %v", err)
	}
	if !b.Parker.TryPark() {
		t.Fatal("NotifyAll did not wake the second waiter")
	}
	if c.Parker.TryPark() {
		t.Fatal("a waiter cancelled after NotifyAll passed a notification on")
	}
	if e.Waiters() != 1 || e.queue.Front() != c {
		t.Fatalf("Waiters() = %d, head = %p; want only the late waiter", e.Waiters(), e.queue.Front())
	}
	checkInvariants(t, &e)
}

func TestLeaveWhileQueued(t *testing.T) {
	var e EventCount
	a := e.enqueue(e.Prepare())
	b := e.enqueue(e.Prepare())
	c := e.enqueue(e.Prepare())
	_ = e.leave(b, context.Canceled) // from the middle
	_ = e.leave(c, context.Canceled) // the tail
	if e.queue.Front() != a || e.queue.Back() != a || a.Next() != nil || e.queue.Len() != 1 {
		t.Fatal("queue links broken by leave")
	}
	if e.Waiters() != 1 || freeLen(&e) != 2 {
		t.Fatalf("Waiters() = %d, free = %d; want 1, 2", e.Waiters(), freeLen(&e))
	}
	checkInvariants(t, &e)
	_ = e.leave(a, context.Canceled)
	if e.queue.Front() != nil || e.queue.Back() != nil || e.Waiters() != 0 {
		t.Fatal("queue not empty after every waiter left")
	}
	checkInvariants(t, &e)
}

func checkInvariants(t *testing.T, e *EventCount) {
	t.Helper()
	if err := e.CheckInvariants(); err != nil {
		t.Fatal(err)
	}
}

// enqueue re-checks the epoch under mu: a notification that lands between
// Commit's lock-free check and the enqueue is not lost, whether it moved the
// epoch without mu (nobody parked) or under it (NotifyAll with a queue).
func TestEnqueueAfterNotify(t *testing.T) {
	for _, withQueue := range []bool{false, true} {
		var e EventCount
		var parked *waiter
		if withQueue {
			parked = e.enqueue(e.Prepare())
		}
		tk := e.Prepare()
		if withQueue {
			e.NotifyAll()
		} else {
			e.NotifyOne()
		}
		if w := e.enqueue(tk); w != nil {
			t.Fatalf("withQueue=%v: enqueue parked a waiter notified since its Prepare", withQueue)
		}
		if parked != nil && !parked.Parker.TryPark() {
			t.Fatal("NotifyAll did not wake the parked waiter")
		}
		if e.Waiters() != 0 {
			t.Fatalf("withQueue=%v: Waiters() = %d", withQueue, e.Waiters())
		}
		checkInvariants(t, &e)
	}
}
