package waker

import "sync/atomic"

// DiatomicWaker: the two-slot algorithm of the diatomic-waker crate
// (asynchronics/diatomic-waker, src/waker.rs), with two changes. Upstream's
// notify is Wake here, the name of the operation on every waker of this
// package (the method of the Waker interface, so a DiatomicWaker is itself a
// Waker); and its take-and-wake is split, as in AtomicWaker, into Take and Wake.
//
//   - Wake with nothing registered is a single atomic load instead of a
//     read-modify-write. This is sound because Go's atomics are sequentially
//     consistent and the wake condition must itself be atomic: either the
//     notifier's load sees the REGISTERED bit, or it precedes the registrant's
//     RMW that sets it, and then the registrant's check of the condition after
//     registering sees the condition.
//   - The waker is called after the notifier lock is released. Upstream calls
//     it under the lock, so a waker that panics leaves LOCKED set and every
//     later notification is silently dropped. In Go the notifier copies the
//     interface value out of the slot under the lock; the registrant may then
//     overwrite the slot freely, and the copy stays valid.
//
// State word, bit by bit:
//
//	bit 0  dwIndex         index of the current slot (0 or 1)
//	bit 1  dwUpdate        a newer waker is stored in slot 1-index
//	bit 2  dwRegistered    a waker is registered and awaits a notification
//	bit 3  dwLocked        a notifier holds the lock on slot index
//	bit 4  dwNotification  a notifier failed to take the lock while a waker
//	                       was registered, and asked the lock holder to notify
//	                       on its behalf (implies dwRegistered and dwLocked)
//	bit 5  dwOwn           a Wait of the WakeSink that owns this
//	                       DiatomicWaker is registered, outside the slots
//	                       (set only by WakeSink.wait, see wake_sink.go)
//
// Invariants:
//   - Only the registrant sets dwRegistered and dwUpdate and writes a slot;
//     notifiers never write a slot.
//   - The registrant writes only slot 1-index, and only while dwUpdate or
//     dwRegistered is clear, so that no notifier can flip index to the slot
//     being written. A notifier flips index (clearing dwUpdate) only when it
//     takes the lock with dwRegistered set.
//   - A notifier reads slot index only while it holds dwLocked; it reads the
//     slot the state names at the moment it took the lock.
//   - dwNotification implies dwRegistered and dwLocked.
//   - No Waker.Wake is called while dwLocked is held by the caller.
//   - dwOwn is never set on a DiatomicWaker that no WakeSink owns, and never
//     together with dwRegistered; the slot protocol, Unregister included,
//     leaves it as it is (see wake_sink.go).
const (
	dwIndex uint32 = 1 << iota
	dwUpdate
	dwRegistered
	dwLocked
	dwNotification
	dwOwn
)

// DiatomicWaker holds the waker of one registrant at a time for any number
// of notifying goroutines. It is the engine of [WakeSink]; use it directly to
// build a primitive of your own that embeds its waker without allocating.
//
// The registrant calls Register, then checks its wake condition, and waits
// only if it is false; Unregister withdraws the registration. Notifiers make
// the condition true, then call Wake, which wakes the registered waker once
// and unregisters it. Notifiers never block each other: a Wake that finds
// another one delivering asks it to deliver once more, and returns.
//
// Costs: Wake with nothing registered is one atomic load; Register of the
// waker registered last (even if it was unregistered or woken since) is one
// atomic RMW and writes no slot; a Register of a new waker writes the idle
// slot and publishes it with one or two RMWs.
//
// # Memory ordering
//
// The wake condition must be stored with a sync/atomic operation before
// Wake and loaded with one after Register. Then either Wake sees the
// registration, or the registrant's load sees the condition (or both): no
// wake-up is lost. A Register synchronizes before the Wake that wakes the
// waker it stored.
//
// Register and Unregister must not be called concurrently (from two
// goroutines at once). Breaking that rule panics on the paths that write a
// slot, and under the race detector on every path.
//
// The zero value is ready to use. A DiatomicWaker must not be copied after
// first use.
type DiatomicWaker struct {
	_     noCopy
	state atomic.Uint32
	slots [2]Waker
	guard exclusive
}

// Register registers w to be woken by the next Wake, replacing any waker
// registered before. Register panics if w is nil or not comparable, leaving
// the DiatomicWaker as it was.
func (d *DiatomicWaker) Register(w Waker) {
	checkWaker(w)
	if raceEnabled {
		d.guard.enter("Register on DiatomicWaker")
		defer d.guard.exit()
	}
	st := d.state.Load()
	// The most recently stored waker: slot index, or slot 1-index when an
	// update is pending. Only this goroutine stores wakers, so this is
	// right even if st is stale.
	recent := st & dwIndex
	if st&dwUpdate != 0 {
		recent ^= dwIndex
	}
	if d.slots[recent] == w {
		// Seq-cst RMW: either a later Wake sees dwRegistered, or the
		// caller's condition check after this call sees what a Wake
		// that missed it had published.
		d.state.Or(dwRegistered)
		return
	}
	d.registerSlow(w, st)
}

// Outlined slow path to allow inlining of the fast path.
func (d *DiatomicWaker) registerSlow(w Waker, st uint32) {
	// w is not the waker stored last: check it before storing it. The slots
	// hold only checked wakers, so the fast path's comparison cannot panic.
	checkNewWaker(w)
	if !raceEnabled {
		d.guard.enter("Register on DiatomicWaker")
		defer d.guard.exit()
	}
	if st&(dwUpdate|dwRegistered) == dwUpdate|dwRegistered {
		// A notifier may take the lock and flip index to 1-index, the slot
		// about to be written: withdraw the registration first. The value
		// returned tells the index current once dwRegistered is clear,
		// which no notifier can change until we set it again.
		st = d.state.And(^(dwRegistered | dwNotification))
	}
	// dwUpdate or dwRegistered is clear, and only this goroutine sets
	// them, so no notifier reads or switches to slot 1-index.
	hook(hookDiatomicWrite)
	d.slots[(st&dwIndex)^1] = w
	// Publish: this RMW synchronizes the slot write before the notifier
	// that takes the lock and flips to the slot.
	d.state.Or(dwUpdate | dwRegistered)
}

// Unregister withdraws the registration, if any, so that Wake will not
// call the waker. The waker stays cached in its slot, so registering it
// again is cheap.
func (d *DiatomicWaker) Unregister() {
	if raceEnabled {
		d.guard.enter("Unregister on DiatomicWaker")
		defer d.guard.exit()
	}
	d.state.And(^(dwRegistered | dwNotification))
}

// Registered reports whether a waker is registered and not yet notified. It
// is a snapshot, for metrics and tests.
func (d *DiatomicWaker) Registered() bool { return d.state.Load()&dwRegistered != 0 }

// Wake wakes the registered waker, if any, and unregisters it. It never
// blocks (unless the waker's Wake does) and may be called from any
// goroutine.
func (d *DiatomicWaker) Wake() {
	// Fast path: a single seq-cst load (see the memory ordering note).
	if d.state.Load()&dwRegistered == 0 {
		return
	}
	d.wakeSlow()
}

// Outlined slow path to allow inlining of the fast path.
func (d *DiatomicWaker) wakeSlow() {
	if w := d.takeSlow(); w != nil {
		w.Wake()
	}
}

// Take unregisters and returns the registered waker, so that the caller can
// wake it later or elsewhere. It returns nil when none is registered, and
// when another Wake or Take holds the notifier lock: that one then delivers
// to the waker registered now, on this call's behalf.
func (d *DiatomicWaker) Take() Waker {
	// Fast path: a single seq-cst load, as in Wake.
	if d.state.Load()&dwRegistered == 0 {
		return nil
	}
	return d.takeSlow()
}

// Outlined slow path to allow inlining of the fast path.
func (d *DiatomicWaker) takeSlow() Waker {
	st, ok := d.lock()
	if !ok {
		return nil
	}
	var w Waker
	for {
		// Copy the waker out while the lock protects its slot.
		w = d.slots[st&dwIndex]
		hook(hookDiatomicLocked)
		var again bool
		if st, again = d.unlock(st); !again {
			break
		}
		// The registrant registered again and another notifier asked us
		// to notify for it: the lock is still ours, on the newest slot.
		// The waker copied above is superseded by that registration.
	}
	// Returned, and woken by wakeSlow, after the lock is released.
	return w
}

// lock takes the notifier lock if a waker is registered, clearing
// dwRegistered and switching to the updated slot if there is one. If the lock
// is held by another notifier, it asks that notifier to notify again. It
// returns the new state and whether the lock was taken.
//
//	N L R U I      N L R U I
//	0 0 0 u i  ->  unchanged, fail
//	0 0 1 0 i  ->  0 1 0 0 i, success
//	0 0 1 1 i  ->  0 1 0 0 !i, success
//	0 1 0 u i  ->  unchanged, fail
//	n 1 1 u i  ->  1 1 1 u i, fail
func (d *DiatomicWaker) lock() (uint32, bool) {
	st := d.state.Load()
	for {
		var next uint32
		switch {
		case st&dwRegistered == 0:
			return st, false
		case st&dwLocked == 0:
			next = st ^ (dwLocked | dwRegistered)
			if st&dwUpdate != 0 {
				next ^= dwUpdate | dwIndex
			}
		case st&dwNotification != 0:
			return st, false // already requested
		default:
			next = st | dwNotification
		}
		// Success synchronizes the registrant's slot write (published by
		// its RMW) before our read of the slot.
		if d.state.CompareAndSwap(st, next) {
			return next, next&dwNotification == 0
		}
		st = d.state.Load()
	}
}

// unlock releases the notifier lock taken with state st, unless another
// notifier asked for one more notification, in which case it keeps the lock,
// clears dwRegistered and dwNotification, switches to the updated slot if any,
// and returns the new state and true.
//
//	N L R U I      N L R U I
//	0 1 r u i  ->  0 0 r u i, released
//	1 1 1 0 i  ->  0 1 0 0 i, kept
//	1 1 1 1 i  ->  0 1 0 0 !i, kept
func (d *DiatomicWaker) unlock(st uint32) (uint32, bool) {
	for {
		var next uint32
		if st&dwNotification == 0 {
			next = st &^ dwLocked
		} else {
			next = st ^ (dwNotification | dwRegistered)
			if st&dwUpdate != 0 {
				next ^= dwUpdate | dwIndex
			}
		}
		// Releasing synchronizes our read of the slot before the
		// registrant's next write to it (after it observes index).
		if d.state.CompareAndSwap(st, next) {
			return next, st&dwNotification != 0
		}
		st = d.state.Load()
	}
}
