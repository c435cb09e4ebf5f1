package waker

import "sync/atomic"

// SpmcWaker: the algorithm of spmc_waker::SpmcWaker in its SYNC=false,
// CACHED=true configuration. Two cells hold wakers; a registrant that replaces
// a waker writes the cell nobody reads and publishes it with one CAS, so a
// Wake never waits for a Register and a Register never waits for a Wake.
// SYNC=false is always sound in Go: the wake condition must be an atomic (or
// it is a data race), and Go's atomics are sequentially consistent.
//
// State word:
//
//	0 or 1            a waker is registered in cells[state]
//	spEmpty | i       nothing registered; cells[i] caches the last waker
//	spWaking          a Wake is taking the registered waker
//
// Invariants:
//   - Wake reads cells[i] only after moving the state from i to spWaking with
//     a CAS, and moves it to spEmpty|i right after the read: while the state is
//     spWaking, cells are read by that Wake only.
//   - Register (one goroutine at a time) writes a cell only when no Wake can
//     read it: both cells while the state is spEmpty|i (Wake reads nothing),
//     or the cell other than the registered one, published by CAS.
//   - The waker is called after the state has left spWaking, so a panicking
//     waker leaves the SpmcWaker usable.
const (
	spEmpty  uint32 = 2
	spWaking uint32 = 4
)

// SpmcWaker holds the waker of one registrant at a time (single producer of
// registrations) for any number of notifying goroutines (multiple consumers),
// and wakes it once.
//
// The registrant calls Register, then checks its wake condition, and waits
// only if it is false; Unregister withdraws a registration whose condition
// turned out true. Notifiers make the condition true, then call Wake. Wake
// with nothing registered is a single atomic load; Register of the waker that
// is already registered is a single atomic load too.
//
// Register returns false when a concurrent Wake got in the way: the caller
// has been (or is being) notified and must re-check its condition instead of
// waiting.
//
// # Memory ordering
//
// As for [AtomicWaker], the wake condition must be stored with a sync/atomic
// operation before Wake and loaded with one after Register. A Register that
// stores a waker synchronizes before the Wake that wakes it.
//
// Register and Unregister must not be called concurrently (from two
// goroutines at once). Breaking that rule panics on the paths that write a
// waker cell, and under the race detector on every path.
//
// The zero value is ready to use. An SpmcWaker must not be copied after first
// use.
type SpmcWaker struct {
	_     noCopy
	state atomic.Uint32 // the state XOR spEmpty: see spLoad
	cells [2]Waker
	guard exclusive
}

// The zero SpmcWaker must read as "nothing registered", so the stored word
// is the state XOR spEmpty: the zero word decodes to spEmpty|0.
func spLoad(a *atomic.Uint32) uint32 { return a.Load() ^ spEmpty }

// Register registers w to be woken by the next Wake, replacing any waker
// registered before. It reports false, registering nothing, when a concurrent
// Wake is in progress; the caller must then treat itself as woken and
// re-check its condition.
//
// Register panics if w is nil or not comparable, leaving the SpmcWaker as it
// was.
func (s *SpmcWaker) Register(w Waker) bool {
	checkWaker(w)
	if raceEnabled {
		s.guard.enter("Register on SpmcWaker")
		defer s.guard.exit()
	}
	st := spLoad(&s.state)
	switch {
	case st < spEmpty && s.cells[st] == w:
		return true // already registered: nothing to write
	case st == spEmpty && s.cells[0] == w:
		// The cached waker: no Wake reads the cells while nothing is
		// registered, so publishing the state is enough. The store
		// synchronizes the cell's last write before the Wake that reads it.
		s.state.Store(0 ^ spEmpty)
		return true
	}
	return s.registerSlow(w, st)
}

// Outlined slow path to allow inlining of the fast path.
func (s *SpmcWaker) registerSlow(w Waker, st uint32) bool {
	// w is neither registered nor cached: check it before storing it. The
	// cells hold only checked wakers, so the fast path's comparisons
	// cannot panic.
	checkNewWaker(w)
	if st == spWaking {
		// A Wake is delivering to the registered waker: the caller is
		// being woken, so it re-checks instead of waiting.
		return false
	}
	if !raceEnabled {
		s.guard.enter("Register on SpmcWaker")
		defer s.guard.exit()
	}
	if st&spEmpty != 0 {
		// Nothing registered: no Wake reads the cells. Register in
		// cells[0], so that the next Register's fast path finds it there,
		// and drop the other cell's reference for the garbage collector.
		s.cells[0], s.cells[1] = w, nil
		// Publishing store: synchronizes the cell write before any Wake
		// that loads state 0.
		s.state.Store(0 ^ spEmpty)
		return true
	}
	// cells[st] is registered and may be read by a Wake: write the other
	// cell and switch to it with a CAS that fails if a Wake took cells[st].
	next := 1 - st
	s.cells[next] = w
	hook(hookSpmcPublish)
	if !s.state.CompareAndSwap(st^spEmpty, next^spEmpty) {
		s.cells[next] = nil // the state is spEmpty|st or spWaking: nobody reads cells[next]
		return false
	}
	s.cells[st] = nil // no Wake reads cells[st] any more
	return true
}

// Unregister withdraws the registered waker, if any, so that Wake will not
// call it, and reports whether one was registered. It reports false when a
// concurrent Wake took the waker first.
func (s *SpmcWaker) Unregister() bool {
	if raceEnabled {
		s.guard.enter("Unregister on SpmcWaker")
		defer s.guard.exit()
	}
	st := spLoad(&s.state)
	if st >= spEmpty {
		return false
	}
	// The cell keeps the waker as cache for the next Register.
	return s.state.CompareAndSwap(st^spEmpty, (spEmpty|st)^spEmpty)
}

// Registered reports whether a waker is registered. It is a snapshot: a
// concurrent Wake may take the waker right after it reports true. Calling
// Registered and then Wake when it reports true synchronizes exactly as
// calling Wake alone.
func (s *SpmcWaker) Registered() bool { return spLoad(&s.state) < spEmpty }

// Wake wakes the registered waker, if any, and unregisters it.
func (s *SpmcWaker) Wake() {
	// Fast path: one seq-cst load, as in Take. The slow path loads again
	// rather than take the state as an argument, which would push Wake
	// past the inlining budget.
	if spLoad(&s.state) < spEmpty {
		s.wakeSlow()
	}
}

// Outlined slow path to allow inlining of the fast path.
//
//go:noinline
func (s *SpmcWaker) wakeSlow() {
	if w := s.Take(); w != nil {
		w.Wake()
	}
}

// Take unregisters and returns the registered waker, or nil when none is
// registered, so that the caller can wake it later or elsewhere.
func (s *SpmcWaker) Take() Waker {
	// Fast path: one seq-cst load; nothing registered, nothing to take.
	st := spLoad(&s.state)
	if st >= spEmpty {
		return nil
	}
	return s.takeSlow(st)
}

// Outlined slow path to allow inlining of the fast path.
func (s *SpmcWaker) takeSlow(st uint32) Waker {
	// Lock cells[st]. Failure means another Wake took it, or the registrant
	// replaced or withdrew it; in both cases the registrant re-checks its
	// condition after this point, so there is nothing to do.
	if !s.state.CompareAndSwap(st^spEmpty, spWaking^spEmpty) {
		return nil
	}
	w := s.cells[st]
	// Unlock: a store suffices, nothing else writes the state while it is
	// spWaking. The cell stays as cache.
	s.state.Store((spEmpty | st) ^ spEmpty)
	return w
}
