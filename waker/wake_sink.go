package waker

import (
	"context"
	"runtime"
)

// WakeSink is the receiving end of a single-consumer eventcount: one
// goroutine at a time waits on it, with Wait or WaitUntil, until a predicate
// holds, and any number of goroutines holding a WakeSource notify it after
// they change what the predicate reads.
//
// It owns a DiatomicWaker and a Parker, so a Wait registers the same waker
// every time: after the first registration, registering costs one atomic RMW
// and no slot write, and a Notify that finds nobody waiting is one atomic
// load.
//
// # Memory ordering
//
// The predicate must read state that notifiers write with sync/atomic
// operations (or under a lock the predicate also takes) before calling
// Notify. A write that a notifier makes before calling Notify synchronizes
// before the predicate call, made after the waiting goroutine is woken by that
// Notify, that observes it; in any case no wake-up is lost: a Wait never
// stays parked while the predicate would now report true because of a write
// followed by a Notify.
//
// Wait, WaitUntil, Register and Unregister must not be called from two
// goroutines at once; doing so panics with a "waker: concurrent ..." message
// where the check is cheap, and is reported by the race detector otherwise.
// Source and WakeSource.Notify may be called from any goroutine.
//
// A WakeSink must be created with [NewWakeSink].
type WakeSink struct {
	waker  DiatomicWaker
	parker Parker
	guard  exclusive // catches concurrent Wait / WaitUntil
}

// WakeSource is the notifying end of a [WakeSink]: a small value, safe to copy
// and to share between goroutines. The zero WakeSource must not be used.
type WakeSource struct {
	waker *DiatomicWaker
}

// NewWakeSink returns a WakeSink with nothing registered.
func NewWakeSink() *WakeSink {
	s := new(WakeSink)
	s.parker.init()
	return s
}

// Source returns a WakeSource that notifies s.
func (s *WakeSink) Source() WakeSource { return WakeSource{&s.waker} }

// Notify wakes the goroutine waiting on the sink, or the waker registered on
// it, if any. With nothing registered it is a single atomic load. It never
// blocks and may be called from any goroutine.
func (src WakeSource) Notify() { src.waker.Notify() }

// Register registers w, in place of the sink's own parker, to be woken by the
// next Notify: this lets a goroutine serve a sink from an event loop instead of
// blocking in Wait. See [DiatomicWaker.Register].
func (s *WakeSink) Register(w Waker) { s.waker.Register(w) }

// Unregister withdraws the waker registered with Register, or by a Wait.
func (s *WakeSink) Unregister() { s.waker.Unregister() }

// Wait blocks until ready reports true or ctx is done.
//
// ready is called only from the calling goroutine, so it may have side
// effects (taking an item off a queue, say): Wait returns nil right after a
// call that reported true, and ready is not called again. Wait checks ready
// first, yields the processor once and checks again, then registers, checks
// again, and parks only if ready is still false; it repeats after every
// wake.
//
// If ctx ends first, Wait returns ctx.Err() and leaves nothing registered.
// ready's answer wins over ctx: a Wait whose ctx is already done still
// returns nil if ready reports true.
func (s *WakeSink) Wait(ctx context.Context, ready func() bool) error {
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
	// Concurrent Waits: the second to block in Park panics; the race
	// detector sees the rest, and race builds check every Wait.
	if raceEnabled {
		s.guard.enter("Wait on WakeSink")
		defer s.guard.exit()
	}
	// Yield first: the goroutine that will make ready true is often
	// runnable on this P (this one has typically just notified it). If it
	// runs now, ready sees its work before this goroutine registers, and
	// its Notify finds nobody registered: one load on its side, no
	// registration, lock or wake on either. Ping-pong through two sinks
	// ran 1.3x faster (BenchmarkPingPong).
	runtime.Gosched()
	if ready() {
		return nil
	}
	for {
		// Register, then check: a Notify after the registration wakes the
		// parker; one before it published what ready now reads.
		s.waker.Register(&s.parker)
		if ready() {
			s.waker.Unregister()
			return nil
		}
		// Park yields once before blocking: a notifier that is runnable
		// on this P (typically the goroutine this one just notified) gets
		// to run and answer, and its Notify then costs no goroutine
		// wake-up.
		if err := s.parker.Park(ctx); err != nil {
			s.waker.Unregister()
			return err
		}
		// Woken (or a stale token from an earlier round): check again.
		// The registration was consumed by the Notify, or is still in
		// place and the next Register is a no-op RMW.
		if ready() {
			if s.waker.Registered() {
				s.waker.Unregister() // woken by a stale token
			}
			return nil
		}
	}
}
