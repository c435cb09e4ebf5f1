package waker

import (
	"context"
	"testing"
)

// onceAt sets testHook, for the rest of the test, to run f the first time
// the protocol reaches p; it reports whether f ran.
func onceAt(t *testing.T, p hookPoint, f func()) (ran func() bool) {
	t.Helper()
	done := false
	testHook = func(at hookPoint) {
		if at == p && !done {
			done = true
			f()
		}
	}
	t.Cleanup(func() { testHook = nil })
	return func() bool { return done }
}

func wakes(c *counter) int64 { return c.n.Load() }

// TestDiatomicNotifyWhileDelivering: while a Notify holds the lock, the
// registrant registers a new waker and a second Notify finds the lock taken.
// The second Notify must ask the holder to deliver once more, and the holder
// must then deliver to the new waker (the old one is superseded).
func TestDiatomicNotifyWhileDelivering(t *testing.T) {
	var d DiatomicWaker
	var old, fresh counter
	d.Register(&old)
	ran := onceAt(t, hookDiatomicLocked, func() {
		d.Register(&fresh)
		d.Wake() // finds the lock held: asks the holder for one more delivery
	})
	d.Wake()
	if !ran() {
		t.Fatal("the Notify never held the lock")
	}
	if wakes(&fresh) != 1 || wakes(&old) != 0 {
		t.Fatalf("new waker woken %d times, superseded one %d; want 1, 0 (the registration made while a Notify delivered was lost)",
			wakes(&fresh), wakes(&old))
	}
	if d.Registered() || d.state.Load()&(dwLocked|dwNotification) != 0 {
		t.Fatalf("state %05b after the deliveries, want nothing registered or locked", d.state.Load())
	}
}

// TestDiatomicReplaceWithdrawsFirst: a Register of a new waker while an
// update is pending and registered withdraws the registration before it
// writes the idle slot, so a Notify at that moment neither switches to the
// slot being written nor wakes the waker being replaced.
func TestDiatomicReplaceWithdrawsFirst(t *testing.T) {
	var d DiatomicWaker
	var first, second counter
	d.Register(&first) // new waker: written to slot 1, UPDATE | REGISTERED
	if st := d.state.Load(); st&(dwUpdate|dwRegistered) != dwUpdate|dwRegistered {
		t.Fatalf("state %05b after the first Register, want UPDATE and REGISTERED", st)
	}
	ran := onceAt(t, hookDiatomicWrite, d.Wake)
	d.Register(&second)
	if !ran() {
		t.Fatal("Register never reached the slot write")
	}
	if n := wakes(&first); n != 0 {
		t.Fatalf("a Notify during the replacing Register woke the replaced waker %d times: the registration was not withdrawn before the slot write", n)
	}
	if !d.Registered() {
		t.Fatal("the second waker is not registered")
	}
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("Notify after the replacement panicked (read a slot it should not): %v", r)
			}
		}()
		d.Wake()
	}()
	if wakes(&second) != 1 || wakes(&first) != 0 {
		t.Fatalf("after Notify: second woken %d, first %d; want 1, 0", wakes(&second), wakes(&first))
	}
}

// TestAtomicRegisterDuringWake: a Register that finds a Wake holding the
// lock wakes its own waker, so its caller re-checks instead of waiting for a
// wake-up that nobody will deliver.
func TestAtomicRegisterDuringWake(t *testing.T) {
	var a AtomicWaker
	var registered, late counter
	a.Register(&registered)
	ran := onceAt(t, hookAtomicWaking, func() { a.Register(&late) })
	a.Wake()
	if !ran() {
		t.Fatal("the Wake never held the lock")
	}
	if n := wakes(&late); n != 1 {
		t.Fatalf("a Register during a Wake: its waker woken %d times, want 1 (neither registered nor woken)", n)
	}
	if n := wakes(&registered); n != 1 {
		t.Fatalf("the Wake delivered %d times to the registered waker, want 1", n)
	}
	if a.state.Load() != 0 {
		t.Fatalf("state %03b after the Wake, want 0", a.state.Load())
	}
}

// TestSpmcRegisterLosesToWake: a Register that replaces the registered waker
// and whose CAS loses to a Wake reports false, so that its caller re-checks.
func TestSpmcRegisterLosesToWake(t *testing.T) {
	var s SpmcWaker
	var first, second counter
	if !s.Register(&first) {
		t.Fatal("Register refused with no Wake running")
	}
	ran := onceAt(t, hookSpmcPublish, s.Wake)
	if s.Register(&second) {
		t.Fatal("Register reported registered although a Wake took the registration before its CAS")
	}
	if !ran() {
		t.Fatal("Register never reached its CAS")
	}
	if wakes(&first) != 1 || wakes(&second) != 0 || s.Registered() {
		t.Fatalf("first woken %d, second %d, registered %v; want 1, 0, false", wakes(&first), wakes(&second), s.Registered())
	}
	if !s.Register(&second) {
		t.Fatal("Register refused afterwards")
	}
	s.Wake()
	if n := wakes(&second); n != 1 {
		t.Fatalf("second woken %d times, want 1", n)
	}
}

// TestParkCancelledWhileWakeSends: a Park whose ctx ends while a Wake has
// claimed it and is sending takes that token and returns nil; it leaves no
// token in the channel.
func TestParkCancelledWhileWakeSends(t *testing.T) {
	for name, p := range map[string]*Parker{"NewParker": NewParker(), "zero": new(Parker)} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // the blocked Park sees ctx done at once
			ran := onceAt(t, hookParkCancelled, p.Wake)
			if err := p.Park(ctx); err != nil {
				t.Fatalf("Park = %v, want nil: the token a Wake was handing over must win over the cancellation", err)
			}
			if !ran() {
				t.Fatal("Park never saw its ctx done while blocked")
			}
			if n := len(*p.ch.Load()); n != 0 || p.TryPark() {
				t.Fatalf("%d tokens left in the channel after Park took its token", n)
			}
		})
	}
}
