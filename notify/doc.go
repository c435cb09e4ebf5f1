// Package notify provides Notify, tokio's sync::Notify in Go: a
// notification without data, with one stored permit, FIFO or LIFO wake-ups,
// wake-all, registrations taken ahead of waiting, and a select form.
//
// A Notify is a semaphore that holds at most one permit. Wait takes the
// permit or waits for one, TryWait takes it if it is there; NotifyOne wakes
// the oldest waiter or, if there is none, stores the permit (storing it
// twice leaves one). NotifyLast wakes the newest waiter instead. NotifyAll
// wakes every waiter registered at the time of the call and stores nothing.
//
//	var n notify.Notify // the zero value is ready to use
//
//	// Producer:
//	mu.Lock()
//	queue = append(queue, item)
//	mu.Unlock()
//	n.NotifyOne()
//
//	// Consumer:
//	for {
//		if item, ok := pop(); ok {
//			handle(item)
//			continue
//		}
//		if err := n.Wait(ctx); err != nil {
//			return err
//		}
//	}
//
// Notified registers interest before the condition is checked, which is what
// NotifyAll needs to wake a goroutine that has not reached Wait yet:
//
//	h := n.Notified()
//	if closed.Load() {
//		h.Cancel()
//		return
//	}
//	err := h.Wait(ctx) // a NotifyAll made after Notified wakes it
//
// A handle also waits in a select statement, beside any other case:
//
//	h := n.Notified()
//	defer h.Cancel() // passes the notification on if the select takes another case
//	select {
//	case <-h.Ready():
//		fmt.Println("notified")
//	case <-tick:
//		flush()
//	case <-ctx.Done():
//		return ctx.Err()
//	}
//
// A receive from Ready consumes the notification, as Wait does; a handle
// whose select took another case gives its notification back when it is
// cancelled. For a goroutine that waits on many sources at a time, a handle
// calls a waker.Waker of the caller's once notified (Notified.Register).
//
// # Semantics
//
//   - At most one permit: NotifyOne or NotifyLast with nobody registered
//     stores it, Wait, TryWait or a new registration takes it.
//   - NotifyAll wakes every handle registered before the call (the
//     goroutines blocked in Wait, and handles taken with Notified and not
//     waited on yet) and none registered after.
//   - Cancellation leaves nothing behind. Wait returns ctx.Err() when ctx
//     ends first, and leaves nothing registered. A notification from
//     NotifyOne or NotifyLast that had chosen a waiter whose ctx then ended,
//     or a handle that is cancelled (its select having taken another case),
//     is not lost: it goes to the next waiter or becomes the stored permit
//     (the cases of tokio issues #3652 and #4618). A notification from
//     NotifyAll to a cancelled waiter is dropped, as it has no other
//     addressee.
//
// # Concurrency contract
//
// All methods of Notify may be called from any number of goroutines at once.
// A Notify must not be copied after first use. A Notified handle belongs to
// one goroutine at a time and is finished with one Wait or Cancel (or by a
// receive from its Ready channel); a Cancel after that does nothing to the
// Notify, so "defer h.Cancel()" is always safe. Misuse (a nil context, a
// second Wait, a handle not obtained from Notified) panics with a "notify:"
// message before anything changes.
//
// Of the blocking calls, Notify.Wait has a non-blocking twin, TryWait, which
// takes a stored permit; Notified.Wait has none (Ready with a select's
// default case is its non-blocking form).
//
// NotifyOne and NotifyLast with a permit already stored, and NotifyAll with
// nobody registered, are a single atomic load; Wait or TryWait that finds a
// permit is one CAS. Otherwise a notification takes an internal lock held
// for a few instructions. Waiting goroutines park on channels (see
// waker.Parker): they use no CPU and are visible to the race detector and to
// testing/synctest. A Notify keeps the records of its peak number of
// registrations for reuse, and a handle that stays in its caller's frame
// lives on the stack, so the steady state allocates nothing; like a channel,
// a Notify used in a synctest bubble must stay in it.
//
// # Memory ordering
//
// A NotifyOne, NotifyLast or NotifyAll that wakes a waiter synchronizes
// before that waiter's Wait returns, or its receive from Ready succeeds, and
// the NotifyOne or NotifyLast that stores a permit synchronizes before the
// return of the Wait that takes it. A notification that finds a permit
// already stored or nobody registered establishes no ordering: it returns
// after one atomic load. Write what the waiter checks with sync/atomic or
// under a lock (which the race detector requires anyway); Go's atomics being
// sequentially consistent, no wake-up is then lost.
//
// # Implementation
//
// The protocol is in notify.go (its opening comment: the state word and the
// invariants), the handles in notified.go, the waiter list in
// internal/waitlist; the SPIN model models/notify.pml checks it
// (models/notify.md).
package notify
