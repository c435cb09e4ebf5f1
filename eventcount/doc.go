// Package eventcount provides EventCount, a condition variable without a
// mutex for any number of waiters and notifiers: waits take a context, and
// a notification nobody waits for costs one atomic load.
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
// Wait, WaitUntil and Commit have no non-blocking twin: the non-blocking
// form of a wait is a call of the predicate. For a single waiting goroutine, waker.WakeSink is cheaper still.
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
//     Commit) the longest. Prepare does not enqueue, so that Prepare stays
//     a single lock-free atomic operation, and Cancel too while nobody is
//     parked; the queue is ordered by Commit. A NotifyOne that finds nobody parked but some waiters
//     between Prepare and Commit releases those: their Commit returns nil
//     without parking (they are told apart only once they park).
//   - Cancellation leaves nothing behind. A Commit whose context ends
//     returns ctx.Err() and leaves the EventCount as if its Prepare had
//     never happened; if a NotifyOne had chosen it in the meantime, the
//     notification is passed on to the next waiter. A notification that
//     reached a waiter before its context ended wins: Commit returns nil.
//   - Spurious wake-ups are possible (a passed-on notification, a NotifyOne
//     that released several waiters not parked yet): a nil from Commit
//     means "check again".
//
// # Concurrency contract and memory ordering
//
// Any number of goroutines may call any method concurrently. Each Ticket
// belongs to the goroutine that called Prepare and must be ended by exactly
// one Cancel or Commit on the same EventCount; a Ticket from another
// EventCount makes them panic, and so does ending more Tickets than were
// prepared. A Ticket ended twice never takes the place of a parked waiter in
// the count (see Ticket). A nil context panics. Every such panic comes before
// anything changes, so the EventCount goes on working after a recover.
//
// The condition must be written with sync/atomic operations (or under a
// lock the checker also takes) before the notification, and read with them
// after Prepare; the race detector reports any other way of sharing it.
// Go's atomics being sequentially consistent, either the notifier's load
// sees the waiter's Prepare, or the waiter's check after Prepare sees the
// notifier's write. That is why a notification with no prepared waiter can
// be a single load, with no read-modify-write.
//
// A NotifyOne or NotifyAll synchronizes before the return of every Commit it
// makes return nil, so everything the notifier wrote before notifying is
// visible to the woken waiter. A notification that finds no prepared waiter,
// Prepare, Cancel, a Commit that returns an error, and Waiters establish no
// ordering at all.
//
// NotifyOne and NotifyAll never wait for a waiter. With nobody prepared they
// are one load, with nobody parked one more CAS; otherwise they take an
// internal lock held for a few instructions and wake the chosen Parkers after
// releasing it. Parking uses a channel (see waker.Parker), so waits are
// visible to the race detector and to testing/synctest; like a channel, an
// EventCount used inside a synctest bubble must stay in it. Commit yields the
// processor once (runtime.Gosched, inside waker.Parker.Park) between joining
// the queue and blocking: a notifier that runs meanwhile hands over the
// wake-up without either side blocking on the channel. Wait, when no other
// waiter is counted, also yields once before it prepares: a notifier that
// runs then makes the condition true before this waiter joins anything.
//
// An EventCount keeps the records of its peak number of parked waiters for
// reuse, so steady-state waiting allocates nothing.
//
// # Migrating from sync.Cond
//
// Before: the condition lives under a mutex, every waiter and notifier takes
// it, and Wait cannot be cancelled:
//
//	mu.Lock()
//	for len(queue) == 0 {
//		cond.Wait()
//	}
//	item := queue[0]
//	queue = queue[1:]
//	mu.Unlock()
//
//	// Producer:
//	mu.Lock()
//	queue = append(queue, item)
//	mu.Unlock()
//	cond.Signal()
//
// After: the condition is whatever lock-free state the program already has
// (or the same data under the same mutex, taken inside the predicate), the
// waiter passes a context, and Signal/Broadcast become NotifyOne/NotifyAll:
//
//	item, err := eventcount.WaitUntil(ctx, &ec, queue.TryDequeue)
//	if err != nil {
//		return err // ctx ended; nothing was taken, nothing is left behind
//	}
//
//	// Producer:
//	queue.Enqueue(item)
//	ec.NotifyOne()
//
// Keep the mutex if the condition needs it: lock and unlock it inside the
// predicate, and notify after unlocking. What changes is that the wait takes
// a context, that nobody wakes up only to queue for the mutex again, and
// that a notification with nobody waiting costs one load.
package eventcount
