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
	for _, received := range []bool{false, true} {
		var e EventCount
		a := e.enqueue(e.Prepare(), nil)
		b := e.enqueue(e.Prepare(), nil)
		e.mu.Lock()
		chosen := e.chooseOneLocked() // wakes a, under mu
		e.mu.Unlock()
		if chosen != a {
			t.Fatal("NotifyOne did not choose the longest-parked waiter")
		}
		if received && !a.Token.TryPark() { // as a receive from Ready does
			t.Fatal("the chosen waiter was not woken")
		}
		e.leave(a)
		if got := b.Token.TryPark(); got == received {
			t.Fatalf("received=%v: the notification passed on to the next waiter: %v", received, got)
		}
		want := 1
		if received {
			want = 2 // b is still queued
		}
		if e.queue.Len() != want-1 || e.Waiters() != want-1 {
			t.Fatalf("received=%v: %d queued, Waiters()=%d, want %d", received, e.queue.Len(), e.Waiters(), want-1)
		}
		if freeLen(&e) != 1 {
			t.Fatalf("received=%v: %d free records, want 1 (a's token consumed in leave)", received, freeLen(&e))
		}
		checkInvariants(t, &e)
	}
}

func TestLeaveAfterChosenPassesOnToPrepared(t *testing.T) {
	var e EventCount
	a := e.enqueue(e.Prepare(), nil)
	prepared := e.Prepare()
	e.NotifyOne() // chooses a, which is then cancelled
	e.leave(a)
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
	a := e.enqueue(e.Prepare(), nil)
	b := e.enqueue(e.Prepare(), nil)
	e.NotifyAll()
	c := e.enqueue(e.Prepare(), nil) // parks after the NotifyAll
	e.leave(a)
	if !b.Token.TryPark() {
		t.Fatal("NotifyAll did not wake the second waiter")
	}
	if c.Token.TryPark() {
		t.Fatal("a waiter cancelled after NotifyAll passed a notification on")
	}
	if e.Waiters() != 1 || e.queue.Front() != c {
		t.Fatalf("Waiters() = %d, head = %p; want only the late waiter", e.Waiters(), e.queue.Front())
	}
	checkInvariants(t, &e)
}

func TestLeaveWhileQueued(t *testing.T) {
	var e EventCount
	a := e.enqueue(e.Prepare(), nil)
	b := e.enqueue(e.Prepare(), nil)
	c := e.enqueue(e.Prepare(), nil)
	e.leave(b) // from the middle
	e.leave(c) // the tail
	if e.queue.Front() != a || e.queue.Back() != a || a.Next() != nil || e.queue.Len() != 1 {
		t.Fatal("queue links broken by leave")
	}
	if e.Waiters() != 1 || freeLen(&e) != 2 {
		t.Fatalf("Waiters() = %d, free = %d; want 1, 2", e.Waiters(), freeLen(&e))
	}
	checkInvariants(t, &e)
	e.leave(a)
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
			parked = e.enqueue(e.Prepare(), nil)
		}
		tk := e.Prepare()
		if withQueue {
			e.NotifyAll()
		} else {
			e.NotifyOne()
		}
		if w := e.enqueue(tk, nil); w != nil {
			t.Fatalf("withQueue=%v: enqueue parked a waiter notified since its Prepare", withQueue)
		}
		if parked != nil && !parked.Token.TryPark() {
			t.Fatal("NotifyAll did not wake the parked waiter")
		}
		if e.Waiters() != 0 {
			t.Fatalf("withQueue=%v: Waiters() = %d", withQueue, e.Waiters())
		}
		checkInvariants(t, &e)
	}
}

// The cancel-after-handed race, step by step: Commit's Park has returned
// ctx.Err() (the token was not there yet), and a NotifyHand dequeues the
// record and fills its hand before leave takes mu. leave reports the value
// handed, takes the token, and passes nothing on: the value is delivered.
func TestLeaveAfterHanded(t *testing.T) {
	var e EventCount
	h := new(int)
	a := e.enqueue(e.Prepare(), h)
	b := e.enqueue(e.Prepare(), new(int))
	if !e.NotifyHand(func(hand any) { *hand.(*int) = 42 }) {
		t.Fatal("NotifyHand reported false with a waiter parked")
	}
	if a.Kind != rsHanded || *h != 42 {
		t.Fatalf("the head: state %d, hand %d; want rsHanded, 42", a.Kind, *h)
	}
	if !e.leave(a) {
		t.Fatal("leave of a handed record reported no hand-off: the value would be lost")
	}
	if a.Token.TryPark() {
		t.Fatal("leave left the handed record's token stored")
	}
	if b.Token.TryPark() || e.queue.Front() != b || e.Waiters() != 1 {
		t.Fatalf("the hand-off was passed on: head %p (want the second waiter), Waiters() = %d", e.queue.Front(), e.Waiters())
	}
	if freeLen(&e) != 1 {
		t.Fatalf("%d free records, want 1 (the handed one)", freeLen(&e))
	}
	checkInvariants(t, &e)
	e.leave(b)
	checkInvariants(t, &e)
}
