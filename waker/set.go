package waker

import (
	"context"
	"reflect"
	"sync/atomic"
)

// Set: one goroutine waits on a dynamic set of sources. The design is gVisor's
// pkg/sleep (a Sleeper with its Wakers): each member of the set has a waker of
// its own, registered with its source; a source that becomes ready wakes that
// waker, which pushes the member onto the set's ready list and, if the list
// was empty, wakes the set's Parker. The waiting goroutine pops members off
// the list: a wake-up costs the same whatever the number of members, and the
// set allocates only when a member is added. Unlike pkg/sleep it parks on a
// Parker (no go:linkname into the runtime), takes a context, and lets members
// come and go between waits.
//
// The ready list is a Treiber stack (ready) that wakers push onto with a CAS,
// and that the owner takes whole with a Swap and reverses into a private FIFO
// (local), so that members are reported in the order they became ready.
//
// Member state (member.state):
//
//	mIdle     not on the ready list: armed with its source, or reported by
//	          Wait and waiting for the next Wait to re-arm it
//	mQueued   on the ready list (or being pushed onto it); more wakes coalesce
//	mRemoved  removed from the set: wakes are ignored, and the owner drops it
//	          when it pops it off the list
//
// Invariants:
//   - Only the Wake that moves a member from mIdle to mQueued pushes it, so a
//     member is on the lists at most once; only the owner moves it out of
//     mQueued (to mIdle when it reports it, never back once mRemoved).
//   - A member's next is written by the Wake that pushes it before the CAS
//     that publishes it, and by the owner only once it took the member off
//     the shared stack; the owner reads next only after that Swap.
//   - Whenever ready is non-nil, the push that made it non-nil has woken, or
//     is about to wake, the Parker (only a push onto an empty stack wakes).
//     The owner parks only after it loaded ready as nil, so a push after that
//     load leaves a token and Park returns: no wake-up is lost. A token whose
//     member the owner already popped makes Park return once for nothing.
//   - Only the owner (the goroutine calling Add, Remove, Wait and TryWait)
//     touches local, last and members, and registers or unregisters sources.
const (
	mIdle uint32 = iota
	mQueued
	mRemoved
)

// Source is what a [Set] waits on: the receiving end of a channel, a
// notification, anything that can tell a Waker when it is ready. Packages of
// this module implement it on their receiving ends; [SinkSource] makes one of
// a [WakeSink] and its predicate.
//
// The contract, which a Set relies on:
//
//   - Register(w) arranges for w.Wake to be called once the source is ready,
//     that is, once a receive would not block: it holds a value, or it is
//     closed. If the source is ready when Register is called, Register wakes
//     w itself, at once (or arranges for an immediate wake), so that a value
//     that arrived after the caller last found the source empty, and before
//     Register, is never missed. One Register stands for at least one wake:
//     after it has woken w, the source need not wake w again until the next
//     Register.
//   - Register may be called again, with the same w, after w was woken or
//     while it is still registered; it replaces the registration, and should
//     cost no allocation when w is the waker registered last.
//   - Unregister withdraws the registration. A wake already under way may
//     still reach w after Unregister returns; a Set ignores it.
//   - Register and Unregister are called by one goroutine at a time (the
//     Set's owner), never concurrently with each other; the source may call
//     w.Wake from any goroutine, and must not block in it. Register must not
//     panic once it has changed the source's state.
//   - Waking may be spurious: w may be woken while a receive would block
//     (the Set then reports the source, and the caller finds it empty).
//
// [WakeSink] and [DiatomicWaker] have Register and Unregister methods but are
// not Sources: their Register does not know the condition waited for, so it
// cannot wake w when that is already true. [Set.Add] refuses them; wrap a
// WakeSink with [SinkSource].
type Source interface {
	Register(w Waker)
	Unregister()
}

// Set lets one goroutine wait, with a context, until one of a changing set of
// sources is ready, and tells it which: each source is added with a key of
// the caller's choice, and Wait returns the key of a source that is ready.
//
// A wake-up costs the same whatever the number of sources (a push onto the
// set's ready list, and a pop off it), where reflect.Select scans every case
// on every call; BenchmarkSetWait measures both. No goroutine is started, and
// Wait allocates nothing: Add allocates the member's waker, once.
//
// Reports are level-triggered, one Wait at a time: a source reported by Wait
// is not watched again until the next call of Wait or TryWait, which first
// re-registers it with the source; if the source is still ready then (the
// caller did not drain it), it is reported again. So the caller drains the
// source it is given (receives until it would block), and calls Wait again.
// A report may be spurious (the source woke the set, and the caller finds it
// empty); a report is never lost: a source ready at Add, or that becomes
// ready later (after the caller found it empty following a report, say), is
// reported by a later Wait. Wakes of a source already waiting to be reported coalesce into one
// report, and sources are reported in the order they woke the set.
//
// Add, Remove, Wait, TryWait and Len must be called by one goroutine at a
// time, the owner (it may hand the set over to another goroutine, which it
// then starts or otherwise synchronizes with). The race detector reports a
// violation; two Waits at once panic with a "waker: concurrent ..." message
// when the second has to park. Sources
// may become ready, and wake the set, from any goroutine. A wake of a source
// synchronizes before the Wait or TryWait that reports it.
//
// The zero value is an empty set, ready to use. A Set must not be copied after
// first use.
type Set[K comparable] struct {
	_      noCopy
	ready  atomic.Pointer[member[K]] // the shared stack of members woken
	parker Parker                    // the owner parks here; woken on a push onto an empty stack

	// Owned by the owner goroutine.
	local   *member[K]       // members taken off ready, oldest first
	last    *member[K]       // reported by the last Wait: re-armed by the next
	members map[K]*member[K] // every member, by key
	guard   exclusive        // catches a concurrent Wait, under the race detector
}

// member is the Waker that a Set registers with one source. It is a pointer,
// so comparable, and a source sees the same one at every re-registration.
type member[K comparable] struct {
	state atomic.Uint32
	next  *member[K] // link in ready or local; see the invariants
	set   *Set[K]
	src   Source
	key   K
}

// Wake puts the member on its set's ready list, unless it is there already
// or was removed. It never blocks, and may be called from any goroutine.
func (m *member[K]) Wake() {
	// A member on the list (or removed) is one load: wakes coalesce.
	if m.state.Load() != mIdle || !m.state.CompareAndSwap(mIdle, mQueued) {
		return
	}
	m.set.push(m)
}

// push adds m, which the caller moved to mQueued, to the ready stack, and
// wakes the owner if the stack was empty.
func (s *Set[K]) push(m *member[K]) {
	for {
		head := s.ready.Load()
		m.next = head
		// The CAS publishes m.next, and the wake before it, to the owner's
		// Swap that takes m.
		if s.ready.CompareAndSwap(head, m) {
			if head == nil {
				// Only a push onto an empty stack wakes: the owner parks
				// only after it loaded the stack empty.
				s.parker.Wake()
			}
			return
		}
	}
}

// SinkSource returns a Source made of sink and ready, the predicate of what
// the sink's notifiers signal: its Register registers w with the sink, then
// wakes w if ready reports true. This is how a custom structure built on a
// WakeSink joins a Set: its notifiers keep calling the sink's WakeSource.
//
// ready is called by the Set's owner, at Add and at each re-registration;
// unlike the predicate of [WakeSink.Wait], it must have no side effect (it
// checks whether a receive would succeed, it does not receive). The sink
// must not be waited on (Wait, WaitUntil) while it is in a Set.
func SinkSource(sink *WakeSink, ready func() bool) Source {
	if sink == nil || ready == nil {
		panic("waker: SinkSource called with a nil WakeSink or predicate")
	}
	return &sinkSource{sink, ready}
}

type sinkSource struct {
	sink  *WakeSink
	ready func() bool
}

// Register registers, then checks: a notifier that made ready true before
// the registration's RMW is seen by the check, a later one by its Wake.
func (s *sinkSource) Register(w Waker) {
	s.sink.Register(w)
	if s.ready() {
		w.Wake()
	}
}

func (s *sinkSource) Unregister() { s.sink.Unregister() }

// Add adds src to the set under key, and registers the set's waker for it
// with src; if src is ready already, the next Wait reports it. Add allocates
// the member's waker.
//
// Add panics, leaving the set as it was, if key is in the set already, if src
// is nil, or if src is a *WakeSink or *DiatomicWaker (see [Source]).
func (s *Set[K]) Add(key K, src Source) {
	switch src.(type) {
	case nil:
		panic("waker: Set.Add called with a nil Source")
	case *WakeSink, *DiatomicWaker:
		panic("waker: Set.Add called with a " + reflect.TypeOf(src).String() +
			", which cannot tell when it is ready: wrap it with SinkSource")
	}
	if _, dup := s.members[key]; dup {
		panic("waker: Set.Add called with a key already in the set")
	}
	if s.members == nil {
		s.members = make(map[K]*member[K])
	}
	m := &member[K]{set: s, src: src, key: key}
	s.members[key] = m
	src.Register(m)
}

// Remove removes the source added under key, unregistering the set's waker
// from it, and reports whether key was in the set. A wake of that source
// still under way is ignored: no Wait reports key after Remove returns
// (unless it is added again).
func (s *Set[K]) Remove(key K) bool {
	m := s.members[key]
	if m == nil {
		return false
	}
	// From here on, Wake ignores m, and the owner drops it off the lists.
	m.state.Store(mRemoved)
	delete(s.members, key)
	if s.last == m {
		s.last = nil
	}
	m.src.Unregister()
	return true
}

// Len returns the number of sources in the set.
func (s *Set[K]) Len() int { return len(s.members) }

// Wait returns the key of a source that is ready, blocking until one is or
// ctx is done. It first re-registers the source reported by the previous
// Wait or TryWait, if it is still in the set (see [Set] for what a report
// means).
//
// If ctx ends first, Wait returns the zero K and ctx.Err(), and consumes no
// report: a source that became ready meanwhile is reported by the next Wait.
// A ready source wins over ctx: a Wait whose ctx is already done still
// reports one if it is ready.
//
// Wait panics if ctx is nil, before it changes anything. It blocks forever if
// the set is empty and ctx is never done.
func (s *Set[K]) Wait(ctx context.Context) (K, error) {
	checkContext(ctx, "Set.Wait")
	if raceEnabled {
		s.guard.enter("Wait on Set")
		defer s.guard.exit()
	}
	s.rearm()
	if m := s.pop(); m != nil {
		return m.key, nil
	}
	return s.waitSlow(ctx)
}

// Outlined slow path: the set holds no report, so Wait parks.
func (s *Set[K]) waitSlow(ctx context.Context) (K, error) {
	if !raceEnabled {
		// Two goroutines parking: the second panics here, before it
		// parks on the first's Parker.
		s.guard.enter("Wait on Set")
		defer s.guard.exit()
	}
	for {
		// The stack was empty when pop loaded it: a push from now on wakes
		// the parker. A token from a member already popped makes Park
		// return for nothing, and the loop looks again.
		if err := s.parker.Park(ctx); err != nil {
			var zero K
			return zero, err
		}
		if m := s.pop(); m != nil {
			return m.key, nil
		}
	}
}

// TryWait is Wait without blocking: it re-registers the source reported last,
// then returns the key of a source that is ready and true, or the zero K and
// false if none is.
func (s *Set[K]) TryWait() (K, bool) {
	s.rearm()
	if m := s.pop(); m != nil {
		return m.key, true
	}
	var zero K
	return zero, false
}

// rearm registers the member reported last with its source again. A source
// still ready wakes it at once, which queues it again.
func (s *Set[K]) rearm() {
	if m := s.last; m != nil {
		s.last = nil
		m.src.Register(m)
	}
}

// pop takes the oldest member woken off the lists and records it as the one
// reported, or returns nil if none is queued. Removed members are dropped.
func (s *Set[K]) pop() *member[K] {
	for {
		if s.local == nil {
			if s.ready.Load() == nil {
				return nil
			}
			// The Swap synchronizes every push it takes (their next
			// writes, and the wakes before them) before the reads below.
			for m := s.ready.Swap(nil); m != nil; {
				next := m.next
				m.next = s.local
				s.local = m
				m = next
			}
		}
		m := s.local
		s.local = m.next
		m.next = nil
		// mQueued to mIdle: a wake from now on queues m again. Fails only
		// if m was removed.
		if m.state.CompareAndSwap(mQueued, mIdle) {
			s.last = m
			return m
		}
	}
}
