// Package notify provides Notify, tokio's sync::Notify in Go: a
// notification without data, with one stored permit, FIFO or LIFO wake-ups,
// wake-all, and registrations taken ahead of waiting.
//
// A Notify is a semaphore that holds at most one permit. Wait takes the
// permit or waits for one, TryWait takes it if it is there; NotifyOne wakes the oldest waiter or, if there is
// none, stores the permit (storing it twice leaves one). NotifyLast wakes the
// newest waiter instead. NotifyAll wakes every waiter registered at the time
// of the call and stores nothing.
//
//	var n notify.Notify // the zero value is ready to use
//
//	// Producer:
//	mu.Lock(); queue = append(queue, item); mu.Unlock()
//	n.NotifyOne()
//
//	// Consumer:
//	for {
//		if item, ok := pop(); ok { ... continue }
//		if err := n.Wait(ctx); err != nil { return err }
//	}
//
// Notified registers interest before the condition is checked, which is what
// NotifyAll needs to wake a goroutine that has not reached Wait yet:
//
//	h := n.Notified()
//	if closed.Load() { h.Cancel(); return }
//	err := h.Wait(ctx) // a NotifyAll made after Notified wakes it
//
// # Concurrency contract
//
// All methods of Notify may be called from any number of goroutines at once.
// A Notify must not be copied after first use. A Notified handle belongs to
// one goroutine at a time and is finished with one Wait or Cancel; a Cancel
// after that does nothing, so "defer h.Cancel()" is always safe, and a
// finished handle never acts on the Notify again. Misuse (a nil context, a
// second Wait, a handle not obtained from Notified) panics with a "notify:"
// message before anything changes.
//
// Of the blocking calls, Notify.Wait has a non-blocking twin, TryWait, which
// takes a stored permit; Notified.Wait has none (a registration is notified
// or not, which its Wait with a done context reports).
//
// NotifyOne and NotifyLast with a permit already stored, and NotifyAll with
// nobody registered, are a single atomic load; Wait or TryWait that finds a
// permit is one CAS and allocates nothing; a registration reuses a pooled
// record, and a handle that stays in its caller's frame lives on the stack,
// so the steady state allocates nothing. A Notify.Wait that finds no permit
// yields the processor once before it registers (unless others wait
// already), and a wait that has to block yields once more before it parks,
// so that in a hand-off between two goroutines the notification is usually a
// stored permit rather than a registration, a park and an unpark. Waiting goroutines
// park on channels (see waker.Parker): they use no CPU and are visible to the
// race detector and to testing/synctest. Like a channel, a Notify first waited
// on outside any synctest bubble belongs to none: a goroutine of a bubble
// waiting on it is not durably blocked. One first waited on in a bubble gives
// each waiter in a bubble a handle made there.
//
// # Memory ordering
//
// A NotifyOne, NotifyLast or NotifyAll that wakes a waiter synchronizes
// before that waiter's Wait returns, and the NotifyOne or NotifyLast that
// stores a permit synchronizes before the return of the Wait that takes it.
// A notification that finds a permit already stored or nobody registered
// establishes no ordering: it returns after one atomic load. Write what the
// waiter checks with sync/atomic or under a lock (which the race detector
// requires anyway); Go's atomics being sequentially consistent, no wake-up
// is then lost.
//
// # Cancellation
//
// Wait returns ctx.Err() when ctx ends first, and leaves nothing registered.
// A notification from NotifyOne or NotifyLast that had chosen a waiter whose
// ctx then ended, or a Notified handle that is cancelled, is not lost: it goes
// to the next waiter or becomes the stored permit (the cases of tokio issues
// #3652 and #4618). A notification from NotifyAll to a cancelled waiter is
// dropped, as it has no other addressee.
package notify
