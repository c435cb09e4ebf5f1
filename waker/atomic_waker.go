package waker

import "sync/atomic"

// AtomicWaker: the WAITING / REGISTERING / WAKING state machine of
// futures::task::AtomicWaker (atomic-waker crate, and tokio's AtomicWaker),
// with two changes that Go allows and that its users need:
//
//   - A REGISTERED bit records whether the slot holds a waker, so that Wake
//     and Take with nothing registered are a single atomic load (the upstream
//     algorithm always spends a read-modify-write).
//   - Any number of goroutines may call Register concurrently. Upstream, a
//     Register that finds another registration in progress silently does
//     nothing; here it wakes its own waker instead, so that its caller
//     re-checks its condition and registers again: no registrant is ever left
//     neither registered nor woken.
//
// State word, bit by bit:
//
//	bit 0  awRegistering  a Register holds the slot lock and may write slot
//	bit 1  awWaking       a Wake/Take holds the slot lock, or asked the
//	                      registering goroutine to wake on its behalf
//	bit 2  awRegistered   slot holds a waker that no Wake has taken yet
//
// Invariants:
//   - slot is read or written only by the goroutine that moved the state from
//     "neither awRegistering nor awWaking" to one of them (the lock holder).
//   - awRegistered is set only if slot != nil, and slot == nil whenever
//     awRegistered is clear outside a critical section.
//   - state == 0 means no waker is stored and nobody holds the lock; that is
//     the only state in which Wake and Take return after a single load.
//   - Waker.Wake is never called while a lock bit is held, so a panicking
//     waker leaves the AtomicWaker usable.
const (
	awRegistering uint32 = 1 << iota
	awWaking
	awRegistered
)

// AtomicWaker holds at most one Waker on behalf of any number of registering
// goroutines and wakes it once.
//
// A goroutine that wants to be woken calls Register, then checks its wake
// condition, and waits only if the condition is false; a notifier first makes
// the condition true, then calls Wake. Wake takes the registered waker out
// (a waker is woken at most once per registration) and wakes it. A Wake with
// nothing registered does nothing: it is not remembered.
//
// # Memory ordering
//
// Wake with nothing registered is a single atomic load. It is therefore
// required that the wake condition be stored with a sync/atomic operation
// (or under a lock that the waiter also takes) before Wake, and loaded with
// one after Register; that is the only race-free way to share it in Go anyway.
// Because Go's atomics are sequentially consistent, either Wake sees the
// registration, or the waiter's check after Register sees the condition
// (or both): no wake-up is lost.
//
// A Register synchronizes before the Wake or Take that returns or wakes the
// waker it stored. Wake and Take otherwise establish no ordering.
//
// Concurrent Register calls are allowed: one of them stores its waker (the
// last to take the lock wins); a Register that finds another Register in
// progress wakes its own waker at once, so its caller re-checks its condition.
// A waker replaced by a Register that ran after its own is not woken: it is
// simply no longer registered, as with a single registrant.
//
// The zero value is ready to use. An AtomicWaker must not be copied after
// first use.
type AtomicWaker struct {
	_     noCopy
	state atomic.Uint32
	slot  Waker // guarded by the slot lock (see the invariants above)
}

// Register stores w, replacing any waker registered before, so that the next
// Wake or Take delivers to w.
//
// If a Wake runs concurrently with Register, w may be woken right away
// instead: the caller must then re-check its wake condition, as it must after
// any wake. Register panics if w is nil or not comparable, leaving the
// AtomicWaker as it was.
func (a *AtomicWaker) Register(w Waker) {
	checkWaker(w)
	// Taking the lock: a seq-cst RMW, so a Wake that loads the state after
	// it sees the registration in progress and asks us to wake for it.
	prev := a.state.Or(awRegistering)
	switch {
	case prev&awRegistering != 0:
		// Another Register holds the lock (our Or changed nothing). Wake w so
		// that its owner re-checks and registers again.
		w.Wake()
		return
	case prev&awWaking != 0:
		// A Wake holds the lock; it resets the whole word when it is done,
		// clearing the bit we just set. The owner of w re-checks.
		w.Wake()
		return
	}
	// The slot holds only wakers that passed checkNewWaker (or nil), so
	// this comparison cannot panic; a new waker is checked before it is
	// stored.
	if a.slot != w {
		if !comparableWaker(w) {
			a.refuse(w, prev)
		}
		a.slot = w
	}
	// Releasing the lock: the CAS succeeds unless a Wake set awWaking in
	// the meantime. Its success synchronizes the slot write before the Wake
	// that later locks the word.
	if a.state.CompareAndSwap(prev|awRegistering, awRegistered) {
		return
	}
	// A Wake came in while we held the lock and left the wake to us.
	taken := a.slot
	a.slot = nil
	a.state.Store(0)
	taken.Wake()
}

// refuse panics because w, which a Register holding the lock was about to
// store, is not comparable. It first releases the lock, restoring the state
// prev the lock was taken from, so the AtomicWaker is left as it was. A Wake
// that came in meanwhile left its delivery to the lock holder: refuse makes
// it, to the waker registered before, as the Wake would have.
//
//go:noinline
func (a *AtomicWaker) refuse(w Waker, prev uint32) {
	hook(hookAtomicRefuse)
	if !a.state.CompareAndSwap(prev|awRegistering, prev) {
		taken := a.slot
		a.slot = nil
		a.state.Store(0)
		if taken != nil {
			taken.Wake()
		}
	}
	checkNewWaker(w)
}

// Wake wakes the registered waker, if any, and unregisters it. It never
// blocks (unless the waker's Wake does) and may be called from any goroutine.
func (a *AtomicWaker) Wake() {
	if a.state.Load() == 0 {
		return // nothing registered: see Take
	}
	a.wakeSlow()
}

// Outlined slow path to allow inlining of the fast path.
func (a *AtomicWaker) wakeSlow() {
	if w := a.takeSlow(); w != nil {
		w.Wake()
	}
}

// Take unregisters and returns the registered waker, or nil when none is
// registered, so that the caller can wake it later or elsewhere.
func (a *AtomicWaker) Take() Waker {
	// Fast path: a single seq-cst load. Nothing is stored and nobody is
	// registering, so there is nothing to take (see the memory ordering note).
	if a.state.Load() == 0 {
		return nil
	}
	return a.takeSlow()
}

// Outlined slow path to allow inlining of the fast path.
func (a *AtomicWaker) takeSlow() Waker {
	prev := a.state.Or(awWaking)
	if prev&(awRegistering|awWaking) != 0 {
		// Another goroutine holds the lock: a Register, which will see
		// awWaking when it unlocks and wake on our behalf, or another
		// Wake, which takes the same waker.
		return nil
	}
	hook(hookAtomicWaking)
	w := a.slot
	a.slot = nil
	// Reset the whole word: any awRegistering bit set meanwhile belongs to
	// a Register that saw awWaking and backed off (it woke its own waker).
	a.state.Store(0)
	return w
}

// Registered reports whether a waker is registered. It is a snapshot, for
// metrics and tests: a concurrent Register or Wake may change it at once.
func (a *AtomicWaker) Registered() bool {
	return a.state.Load()&awRegistered != 0
}
