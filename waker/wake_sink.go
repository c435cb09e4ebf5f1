package waker

import (
	"context"
)

// WakeSink is the receiving end of a single-consumer eventcount: one
// goroutine at a time waits on it, with Wait or WaitUntil, until a predicate
// holds, and any number of goroutines holding a WakeSource notify it after
// they change what the predicate reads.
//
// It owns a DiatomicWaker and a Parker. A Wait registers the Parker with one
// atomic RMW on the DiatomicWaker's state word, outside its slots, after one
// atomic load that looks for a waker given to Register (which it then
// unregisters, with one more RMW), so a Wake that finds the Parker registered
// takes it with one CAS, no lock and no slot read; a waker given to Register
// goes through the slots. A Wake of a WakeSource that finds nobody waiting is
// one atomic load.
//
// # Memory ordering
//
// The predicate must read state that notifiers write with sync/atomic
// operations (or under a lock the predicate also takes) before calling
// WakeSource.Wake. A write that a notifier makes before calling Wake
// synchronizes before the predicate call, made after the waiting goroutine is
// woken by that Wake, that observes it; in any case no wake-up is lost: a Wait
// never stays parked while the predicate would now report true because of a
// write followed by a Wake.
//
// Wait, WaitUntil, Register and Unregister must not be called from two
// goroutines at once; doing so panics with a "waker: concurrent ..." message
// where the check is cheap (a Wait past its first check of ready always
// checks for another such Wait, a Register of a new waker for another such
// Register), and under the race detector whenever such a Wait, a Register or
// an Unregister overlaps another. Source and WakeSource.Wake
// may be called from any goroutine.
//
// A WakeSink joins a [Set] through [SinkSource], which pairs it with its
// predicate.
//
// The zero value is ready to use. A WakeSink must not be copied after first
// use.
type WakeSink struct {
	waker  DiatomicWaker
	parker Parker
	guard  exclusive // catches concurrent Wait / WaitUntil
}

// WakeSource is the notifying end of a [WakeSink]: a small value, safe to copy
// and to share between goroutines. It is a Waker (a comparable value), so it
// can be registered on another primitive to forward a wake to the sink. It is
// not a [Source]: a Source is what a Set waits on. The zero WakeSource must
// not be used.
type WakeSource struct {
	sink *WakeSink
}

// NewWakeSink returns a WakeSink with nothing registered. It is new(WakeSink)
// with the channel of its Parker already made.
func NewWakeSink() *WakeSink {
	s := new(WakeSink)
	s.parker.channel()
	return s
}

// Source returns a WakeSource that notifies s.
func (s *WakeSink) Source() WakeSource { return WakeSource{s} }

// Wake wakes the goroutine waiting on the sink, or the waker registered on
// it, if any. With nothing registered it is a single atomic load. It never
// blocks and may be called from any goroutine.
func (src WakeSource) Wake() {
	// Fast path: one seq-cst load, as in DiatomicWaker.Wake.
	if src.sink.waker.state.Load()&(dwRegistered|dwOwn) != 0 {
		src.sink.wakeSlow()
	}
}

// wakeSlow wakes the sink's own Parker if a Wait registered it, taking the
// registration with one CAS (there is no slot to lock: the Parker is fixed),
// and otherwise the waker registered in the slots, if any.
func (s *WakeSink) wakeSlow() {
	st := s.waker.state.Load()
	for st&dwOwn != 0 {
		if s.waker.state.CompareAndSwap(st, st&^dwOwn) {
			s.parker.Wake()
			return
		}
		st = s.waker.state.Load()
	}
	if st&dwRegistered != 0 {
		s.waker.wakeSlow()
	}
}

// Register registers w, in place of the sink's own parker, to be woken by the
// next Wake of a WakeSource: this lets a goroutine serve a sink from an event loop instead of
// blocking in Wait. A Wait that does not return at its first checks of ready
// unregisters w before it registers the parker, so a Wake made from then on
// wakes the Wait only; register w again after the Wait. See
// [DiatomicWaker.Register].
func (s *WakeSink) Register(w Waker) {
	if raceEnabled {
		// A Wait's registration writes no slot, so the DiatomicWaker's
		// own checks cannot see a Register during a Wait: the sink's do.
		s.guard.enter("Register on WakeSink")
		defer s.guard.exit()
	}
	s.waker.Register(w)
}

// Unregister withdraws the waker registered with Register, or by a Wait.
func (s *WakeSink) Unregister() {
	if raceEnabled {
		s.guard.enter("Unregister on WakeSink")
		defer s.guard.exit()
	}
	s.waker.Unregister()
}

// Wait blocks until ready reports true or ctx is done.
//
// ready is called only from the calling goroutine, so it may have side
// effects (taking an item off a queue, say): Wait returns nil right after a
// call that reported true, and ready is not called again. Wait checks ready
// first; then it may yield the processor once and check again (it does
// while such yields find ready true, see Parker.Park); then it registers,
// checks again, and parks only if ready is still false; it repeats after
// every wake.
//
// If ctx ends first, Wait returns ctx.Err() and leaves nothing registered.
// ready's answer wins over ctx: a Wait whose ctx is already done still
// returns nil if ready reports true. If ready panics, the panic goes on to
// Wait's caller, and Wait leaves nothing registered either.
//
// Wait panics if ctx is nil, before it calls ready.
func (s *WakeSink) Wait(ctx context.Context, ready func() bool) error {
	checkContext(ctx, "WakeSink.Wait")
	if ready() {
		return nil
	}
	return s.wait(ctx, ready)
}

// WaitUntil blocks until poll reports true, and returns the value it
// returned with it, or until ctx is done, and returns the zero T and
// ctx.Err(). It is [WakeSink.Wait] for a predicate that produces a value:
// poll is called only from the calling goroutine, so it may take the value
// out of a shared structure.
func WaitUntil[T any](ctx context.Context, s *WakeSink, poll func() (T, bool)) (T, error) {
	checkContext(ctx, "WaitUntil")
	if v, ok := poll(); ok {
		return v, nil
	}
	var v T
	err := s.wait(ctx, func() bool {
		var ok bool
		v, ok = poll()
		return ok
	})
	return v, err
}

// wait is the slow path of Wait and WaitUntil, entered after ready reported
// false once.
func (s *WakeSink) wait(ctx context.Context, ready func() bool) error {
	// Concurrent Waits: the second panics here, before it registers (which
	// a later withdrawal of its own would undo for the first).
	s.guard.enter("Wait on WakeSink")
	defer s.guard.exit()
	// Perhaps yield first (see spin.Bet, the parker's): the goroutine that
	// will make ready true may be ready to run on this P (this one has
	// typically just woken it). If it runs now, ready sees its work before
	// this goroutine registers, and its Wake finds nobody registered: one
	// load on its side, no registration, lock or wake on either
	// (BenchmarkPingPong measures what this saves). This is the wait's one
	// yield: Park below does not yield again.
	if s.parker.bet.Yield(ready) {
		return nil
	}
	// A waker registered by Register is replaced by the parker, which a
	// Wait registers outside the slots (dwOwn).
	if s.waker.Registered() {
		s.waker.Unregister()
	}
	// From the first registration on, every way out, a panic of ready
	// included, withdraws the registration that a Wake has not consumed.
	defer s.withdraw()
	for {
		// Register, then check: a Wake after the registration wakes the
		// parker; one before it published what ready now reads. The RMW
		// is seq-cst, as DiatomicWaker.Register's.
		s.waker.state.Or(dwOwn)
		if ready() {
			return nil
		}
		if err := s.parker.park(ctx); err != nil {
			return err
		}
		// Woken (or a stale token from an earlier round): check again.
		// The registration was consumed by the Wake, or is still in
		// place and the next Or is an RMW that changes nothing.
		if ready() {
			return nil
		}
	}
}

// withdraw unregisters the sink's parker unless a Wake consumed its
// registration already (the load spares the RMW after a wake-up). A Wake
// that consumes it meanwhile leaves a stale token, which the next Wait
// treats as a spurious wake-up.
func (s *WakeSink) withdraw() {
	if s.waker.state.Load()&dwOwn != 0 {
		s.waker.state.And(^dwOwn)
	}
}

// registered reports whether a waker is registered on the sink, its own
// parker (by a Wait) or one of Register's. It is a snapshot, for tests.
func (s *WakeSink) registered() bool {
	return s.waker.state.Load()&(dwRegistered|dwOwn) != 0
}
