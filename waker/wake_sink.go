package waker

import (
	"context"

	"github.com/diatomic-go/diatomic/internal/spin"
)

// WakeSink is the receiving end of a single-consumer eventcount: one
// goroutine at a time waits on it, with Wait or WaitUntil, until a predicate
// holds, and any number of goroutines holding a WakeSource notify it after
// they change what the predicate reads.
//
// It owns a DiatomicWaker and a channel of capacity 1. A Wait registers
// itself with one atomic RMW on the DiatomicWaker's state word, outside its
// slots, after one atomic load that looks for a waker given to Register
// (which it then unregisters, with one more RMW), and then blocks receiving
// from the channel; a Wake that finds it registered takes the registration
// with one CAS, no lock and no slot read, and sends it one token, which the
// Wait receives. A waker given to Register goes through the slots. A Wake of
// a WakeSource that finds nobody waiting is one atomic load.
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
	waker DiatomicWaker
	// The token of a Wake that took a Wait's registration (dwOwn). It is
	// made by NewWakeSink or else by the first Wait that registers, before
	// the RMW that publishes dwOwn; a Wake reads it only after its CAS
	// took dwOwn.
	ch    chan struct{}
	bet   spin.Bet  // whether a Wait yields once before it registers
	guard exclusive // catches concurrent Wait / WaitUntil
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
// with its channel already made, so that no Wait allocates.
func NewWakeSink() *WakeSink { return &WakeSink{ch: make(chan struct{}, 1)} }

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

// wakeSlow wakes the Wait registered on the sink, taking its registration
// with one CAS (there is no slot to lock: the channel is fixed) and sending
// it a token, and otherwise the waker registered in the slots, if any.
func (s *WakeSink) wakeSlow() {
	st := s.waker.state.Load()
	for st&dwOwn != 0 {
		if s.waker.state.CompareAndSwap(st, st&^dwOwn) {
			// The CAS makes this Wake the only sender for this
			// registration, and the Wait takes every token before it
			// registers again (see wait), so the channel is empty and
			// the send does not block.
			s.ch <- struct{}{}
			return
		}
		st = s.waker.state.Load()
	}
	if st&dwRegistered != 0 {
		s.waker.wakeSlow()
	}
}

// Register registers w to be woken by the next Wake of a WakeSource: this
// lets a goroutine serve a sink from an event loop instead of blocking in
// Wait. A Wait that does not return at its first checks of ready
// unregisters w before it registers itself, so a Wake made from then on
// wakes the Wait only; register w again after the Wait. See
// [DiatomicWaker.Register].
//
// Register panics if a Wait is registered on s.
func (s *WakeSink) Register(w Waker) {
	s.notWaiting("Register")
	if raceEnabled {
		// A Wait's registration writes no slot, so the DiatomicWaker's
		// own checks cannot see a Register during a Wait: the sink's do.
		s.guard.enter("Register on WakeSink")
		defer s.guard.exit()
	}
	s.waker.Register(w)
}

// Unregister withdraws the waker registered with Register. It panics if a
// Wait is registered on s.
func (s *WakeSink) Unregister() {
	s.notWaiting("Unregister")
	if raceEnabled {
		s.guard.enter("Unregister on WakeSink")
		defer s.guard.exit()
	}
	s.waker.Unregister()
}

// notWaiting panics, before what touches the state, if a Wait is registered
// on s: a Register would put a second registrant beside it, an Unregister
// would leave it blocked with nobody to wake it. One atomic load; it catches
// the overlap while the Wait is registered, and the race detector's check
// (the guard) catches the others.
func (s *WakeSink) notWaiting(what string) {
	if s.waker.state.Load()&dwOwn != 0 {
		panic("waker: " + what + " on WakeSink during a Wait")
	}
}

// Wait blocks until ready reports true or ctx is done.
//
// ready is called only from the calling goroutine, so it may have side
// effects (taking an item off a queue, say): Wait returns nil right after a
// call that reported true, and ready is not called again. Wait checks ready
// first; then it may yield the processor once and check again (it does
// while such yields find ready true, see Parker.Park); then it registers,
// checks again, and blocks only if ready is still false; it repeats after
// every wake.
//
// If ctx ends first, Wait returns ctx.Err() and leaves nothing registered.
// ready's answer wins over ctx: a Wait whose ctx is already done still
// returns nil if ready reports true, and so does one whose ctx ends as a
// Wake wakes it, if ready then reports true. If ready panics, the panic
// goes on to Wait's caller, and Wait leaves nothing registered either.
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
//
// A registration is dwOwn, set by the Or below and cleared by whoever ends
// it: a Wake, with its CAS, which then sends one token on ch, or this wait,
// with its And. armed says that this wait registered and has not yet taken
// the token of the Wake that ended the registration, if one did. So ch holds
// a token only between a Wake's CAS and the wait's receive, and is empty
// whenever the wait registers and when it returns: no token outlives a
// wait, and a Wake's send never blocks.
func (s *WakeSink) wait(ctx context.Context, ready func() bool) error {
	// Concurrent Waits: the second panics here, before it registers (which
	// a later withdrawal of its own would undo for the first).
	s.guard.enter("Wait on WakeSink")
	defer s.guard.exit()
	// Perhaps yield first (see spin.Bet): the goroutine that will make
	// ready true may be ready to run on this P (this one has typically
	// just woken it). If it runs now, ready sees its work before this
	// goroutine registers, and its Wake finds nobody registered: one load
	// on its side, no registration or wake on either (BenchmarkPingPong
	// measures what this saves).
	if s.bet.Yield(ready) {
		return nil
	}
	// A waker registered by Register is replaced by this wait, which
	// registers outside the slots (dwOwn).
	if s.waker.Registered() {
		s.waker.Unregister()
	}
	if s.ch == nil {
		s.ch = make(chan struct{}, 1) // published by the Or below
	}
	done := ctx.Done()
	// From the first registration on, every way out, a panic of ready
	// included, ends a registration that is still armed.
	armed := false
	defer func() {
		if armed {
			s.withdraw()
		}
	}()
	for {
		// Register, then check: a Wake after the registration sends a
		// token; one before it published what ready now reads. The RMW
		// is seq-cst, as DiatomicWaker.Register's.
		s.waker.state.Or(dwOwn)
		armed = true
		if ready() {
			return nil
		}
		if done == nil {
			<-s.ch // cannot be cancelled: a plain receive is cheaper than a select
		} else {
			select {
			case <-s.ch:
			case <-done:
				// A Wake that came with the end of ctx wins over it, as
				// the token of a Parker does: ready is checked once more.
				armed = false
				if s.withdraw() && ready() {
					return nil
				}
				return ctx.Err()
			}
		}
		// The Wake that sent the token took the registration.
		armed = false
		if ready() {
			return nil
		}
	}
}

// withdraw ends the wait's registration, and reports whether a Wake took it
// first. That Wake sends a token right after its CAS, and withdraw receives
// it, so that ch is empty again: it waits only for that Wake to run the few
// instructions between its CAS and its send.
func (s *WakeSink) withdraw() (woken bool) {
	if s.waker.state.And(^dwOwn)&dwOwn != 0 {
		return false
	}
	<-s.ch
	return true
}

// registered reports whether a waker is registered on the sink, a Wait or
// one of Register's. It is a snapshot, for tests.
func (s *WakeSink) registered() bool {
	return s.waker.state.Load()&(dwRegistered|dwOwn) != 0
}
