// Package eventcount provides EventCount, a condition variable without a
// mutex for any number of waiters and notifiers: waits take a context, and
// a notification nobody waits for costs one atomic load. It replaces
// sync.Cond where the condition is lock-free state.
//
// A waiter prepares, checks its condition, and waits only if the condition
// is still false; a notifier makes the condition true, then notifies:
//
//	var ec eventcount.EventCount
//	var items atomic.Int64
//
//	// Producer, in any goroutine:
//	items.Add(1)
//	ec.NotifyOne()
//
//	// Consumer, in any goroutine:
//	err := ec.Wait(ctx, func() bool {
//		for n := items.Load(); n > 0; n = items.Load() {
//			if items.CompareAndSwap(n, n-1) {
//				return true
//			}
//		}
//		return false
//	})
//
// Wait and WaitUntil run the loop for you. The three steps are available
// on their own for code that must do more between them:
//
//	for !cond() {
//		t := ec.Prepare()
//		if cond() {
//			ec.Cancel(t)
//			break
//		}
//		if err := ec.Commit(ctx, t); err != nil {
//			return err
//		}
//	}
//
// In a select statement, Ready arms a prepared Ticket in place of Commit
// (see EventCount.Ready); the Ticket is then ended by Cancel, whichever
// case the select took. For a goroutine that waits on many sources at a
// time, Ticket.Register arms it with a waker.Waker of the caller's.
//
// A structure that stores values can also hand a value straight to a
// parked waiter, as a chan send does to a blocked receiver: the waiter
// commits with CommitHand and a place of its own (its hand), and a notifier
// that finds such a waiter parked longest gives the value to that hand with
// NotifyHand, instead of storing it and notifying. The woken waiter then
// touches none of the structure's memory to get the value (see
// EventCount.NotifyHand).
//
// Wait, WaitUntil and Commit have no non-blocking twin: the non-blocking form
// of a wait is a call of the predicate. For a single waiting goroutine,
// waker.WakeSink is cheaper still.
//
// # Semantics
//
//   - No permits. A notification made while nobody has prepared is lost,
//     as with sync.Cond: the condition, not the notification, is the state.
//   - No lost wake-up. A waiter that prepared before a NotifyAll is never
//     left parked by it. A NotifyOne made after a waiter prepared wakes
//     some waiter (that one, or another that also prepared before it),
//     which then re-checks.
//   - FIFO. NotifyOne wakes the waiter that has been parked (has reached
//     Commit or Ready) the longest. A NotifyOne that finds nobody parked
//     but some waiters between Prepare and Commit releases those: their
//     Commit returns nil without parking.
//     NotifyN(n) does what n NotifyOnes in a row would, with at most one
//     hold of the internal lock.
//   - Cancellation leaves nothing behind. A Commit whose context ends, or
//     an armed Ticket cancelled after its select took another case, leaves
//     the EventCount as if its Prepare had never happened; a NotifyOne (or
//     NotifyN) that had chosen it is passed on to the next waiter. A notification that
//     reached a waiter before its context ended wins: Commit returns nil.
//   - A hand-off is a delivery, not a notification. NotifyHand chooses the
//     waiter parked longest, as NotifyOne does, but only if it parked in
//     CommitHand; otherwise it does nothing at all (not even release the
//     waiters between Prepare and Commit). A waiter handed a value returns
//     it from CommitHand even if its context ended meanwhile: nothing handed
//     is lost or passed on.
//   - Spurious wake-ups are possible (a passed-on notification, a NotifyOne
//     that released several waiters not parked yet): a nil from Commit, or
//     a receive from Ready, means "check again".
//
// # Concurrency contract
//
// Any number of goroutines may call any method concurrently. Each Ticket
// belongs to the goroutine that called Prepare and must be ended by exactly
// one Cancel or Commit on the same EventCount; a Ticket from another
// EventCount makes them panic, and so does ending more Tickets than were
// prepared. A nil context panics. Every such panic comes before anything
// changes, so the EventCount goes on working after a recover.
//
// NotifyOne, NotifyN and NotifyAll never wait for a waiter: with nobody
// prepared they are one atomic load, with nobody parked one more CAS; otherwise they take
// an internal lock held for a few instructions. NotifyHand is one atomic
// load with nobody parked, and otherwise takes that lock once, calling its
// give function under it. Waiting goroutines park on
// channels (see waker.Parker): they use no CPU and are visible to the race
// detector and to testing/synctest. An EventCount keeps the records of its
// peak number of parked waiters for reuse, so steady-state waiting allocates
// nothing; like a channel, an EventCount used in a synctest bubble must stay
// in it.
//
// # Memory ordering
//
// The condition must be written with sync/atomic operations (or under a
// lock the checker also takes) before the notification, and read with them
// after Prepare. Go's atomics being sequentially consistent, either the
// notifier's load sees the waiter's Prepare, or the waiter's check after
// Prepare sees the notifier's write: that is why a notification with no
// prepared waiter can be a single load.
//
// A NotifyOne, NotifyN or NotifyAll synchronizes before the return of every Commit it
// makes return nil, and before the receive from Ready that it makes succeed.
// A NotifyHand that reports true, and so its give function's writes to the
// hand, synchronizes before the return of the CommitHand it hands to.
// A notification that finds no prepared waiter, Prepare, Cancel, a Commit
// that returns an error, and Waiters establish no ordering at all.
//
// # Implementation
//
// The protocol is in eventcount.go (its opening comment: the state word, the
// steps, the invariants), the waiter queue in internal/waitlist; the SPIN
// model models/eventcount.pml checks it (models/eventcount.md).
package eventcount
