package eventcount

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/diatomic-go/diatomic/internal/spin"
	"github.com/diatomic-go/diatomic/internal/waitlist"
	"github.com/diatomic-go/diatomic/waker"
)

// EventCount: Dmitry Vyukov's eventcount ("Eventcounts", 1024cores.net;
// folly's EventCount is a port of it), one packed word holding a waiter
// count and an epoch, so that a notification nobody waits for is a single
// atomic load. Where those park on a futex keyed by the word, the
// sleeping waiters here sit in an explicit FIFO queue of records, each with
// its own token (a channel of capacity 1, waitlist.Token), as in tokio's
// Notify: that is what makes NotifyOne
// FIFO, lets a waiter leave the queue when its context ends, and lets a
// cancelled waiter that had already been chosen pass its notification on.
//
// State word, bit by bit:
//
//	bits  0..30  count   tickets counted: returned by Prepare and not yet
//	                     released by Cancel, by Commit, or by a notification
//	                     that took their record off the queue
//	bit  31      queued  the queue is not empty (set and cleared under mu)
//	bits 32..63  epoch   moved by NotifyAll, and by a NotifyOne or NotifyN
//	                     that finds no parked waiter; a Ticket remembers it
//
// The protocol:
//
//	Prepare    count++ (RMW), remember the epoch.
//	Cancel     count-- (CAS; under mu if queued is on, see release).
//	Commit     lock; CAS queued on if the epoch has not moved (else
//	           unlock, count--, return); enqueue a record; unlock; park
//	           on its token (whose Park may yield once first).
//	           CommitHand: the same, with the caller's hand in the record;
//	           woken, it reports handed if the record's state says so.
//	Ready      Commit's enqueue, then return the token's channel (C); the
//	           Ticket keeps the record, and its Cancel takes it out.
//	           Register: the same, and the record's Waker is set under mu.
//	NotifyOne  count == 0? return (one load). Queued off? CAS epoch++ and
//	NotifyN    return: every counted waiter is between Prepare and the
//	NotifyAll  enqueue, and its Commit will see the move. Otherwise lock;
//	           dequeue the head (NotifyOne; NotifyN up to n times, and
//	           epoch++ if the queue runs out first) or the whole queue
//	           (NotifyAll: count -= n, queued off, epoch++ in one RMW);
//	           wake; unlock.
//	NotifyHand queued off? return false (one load). Otherwise lock; the
//	           head has a hand? give(hand); dequeue it as rsHanded
//	           (count--, queued off if it was the last); wake; unlock.
//	leave      (ctx ended, or an armed Ticket cancelled) lock; still queued:
//	           unlink, count--. Chosen by NotifyOne or NotifyN: TryPark;
//	           the token was there (not delivered)? choose the next one.
//	           Handed: TryPark, and report the hand-off (nothing passed
//	           on). Unlock.
//
// Why Commit may yield once between enqueueing and parking (the token's
// Park does, see spin.Bet, while such yields pay): a token's Park blocks on
// a channel in a select with ctx.Done(), which costs more than the runtime
// semaphore that sync.Cond parks on (BenchmarkHandoff compares them). In a
// hand-off the notifier is usually runnable on the same P (the waiter has
// just woken it); yielding lets it run and notify, and the waiter then takes
// the token without blocking: the notifier's wake is a buffered send, and
// nobody parks. FIFO order and
// exactness are unchanged, since the waiter is already in the queue.
//
// Invariants:
//   - count == records in the queue + tickets between Prepare and the
//     moment their Commit enqueues or returns, or their Cancel. A ticket
//     ends only while count > queue.Len() (read under mu), so that a Ticket ended twice is refused instead
//     of taking a parked waiter's place in the count.
//   - queued == (queue.Len() > 0) whenever mu is free.
//   - The epoch moves only with mu held, or by a CAS from a value with
//     queued off. Commit enqueues only after a CAS (or, with queued already
//     on, a load) under mu that finds the epoch of its Ticket: so a record
//     is enqueued only if no notification moved the epoch since its Prepare
//     (modulo 2^32 moves inside one Prepare-Commit window), and a
//     notification that comes later finds queued on and takes mu.
//   - A record in the queue has state rsQueued and holds no token; only the
//     notifier that dequeues it (and sets rsChosenOne, rsChosenAll or
//     rsHanded, under mu) wakes its token, once, in the same critical
//     section. So whoever
//     takes mu later finds a dequeued record's token stored, or consumed by
//     its owner: by Park, or (an armed Ticket) by a receive from Ready. A
//     leaving owner's TryPark tells which: a NotifyOne is passed on only if
//     it was not delivered, so it is neither lost nor duplicated.
//   - A record is reused (records, see waitlist.Cache) only once its token
//     is not stored and no notifier will wake it: after its Park consumed
//     the token, or after it left the queue itself, or after its owner's
//     leave consumed the token.
//   - A record's Hand is set by enqueue, under mu, and is nil for an armed
//     Ticket; only a notifier that sets rsHanded, under mu, calls give on
//     it, before the wake, so the owner reads the value after its Park, or
//     after leave finds rsHanded. A handed record is no longer counted,
//     exactly as a chosen one.
//   - Token.Wake is called with mu held: it is a non-blocking send on an
//     empty channel of capacity 1 (the token is stored once per listing),
//     and runs no code of the user's.
//
// Synctest: records are kept per EventCount, so their channels are used
// only by the goroutines that use the EventCount; like a channel, one used
// in a testing/synctest bubble must stay in it. Nothing here knows about
// bubbles.

// An EventCount lets any number of goroutines wait for a condition that any
// number of goroutines make true: a condition variable without a mutex,
// whose waits take a context. See the package documentation for the
// protocol, the guarantees and the memory-ordering contract.
//
// The zero value is ready to use. An EventCount must not be copied after
// first use.
type EventCount struct {
	_     noCopy
	state atomic.Uint64 // count, queued and epoch, see above

	mu      sync.Mutex     // guards queue, the records in it, and records' reuse
	bet     spin.Bet       // whether Wait yields before it joins
	queue   waitlist.List  // FIFO queue of parked waiters
	records waitlist.Cache // records for reuse; Put without mu by woken owners
}

// Ticket is a waiter's place in an EventCount, from Prepare to the Cancel or
// Commit that ends it. It is a small value; each Ticket must be passed to
// exactly one Cancel or Commit of the EventCount that returned it.
//
// A Ticket ended twice never takes the place of a parked waiter: the second
// Cancel or Commit panics, changing nothing, unless other goroutines hold
// Tickets they have not yet ended or committed (tickets are not told apart
// before they park); then the goroutine whose Ticket was outnumbered panics
// in its own Cancel or Commit. A Ticket armed by Ready holds its queue
// record: ending a copy of it twice is not detected, and must not happen.
type Ticket struct {
	e     *EventCount
	epoch uint32
	w     *waiter // set by Ready: the record t is queued with
}

const (
	countMask = 1<<31 - 1
	queuedBit = 1 << 31
	epochOne  = 1 << 32
)

func epochOf(s uint64) uint32 { return uint32(s >> 32) }

// Record states (waitlist.Waiter.Kind), guarded by EventCount.mu.
const (
	rsQueued    uint8 = iota // in the queue, nobody will wake it until dequeued
	rsChosenOne              // dequeued by NotifyOne or NotifyN (or passed on): its wake must not be lost
	rsChosenAll              // dequeued by NotifyAll: every other waiter was woken too
	rsHanded                 // dequeued by NotifyHand, which gave its hand a value: its owner must take it
)

// waiter is the record of one parked Commit.
type waiter = waitlist.Waiter

// Prepare announces that the calling goroutine is about to wait: call it,
// then check the condition again, then Commit (still false) or Cancel (now
// true). A notification made after Prepare returns wakes, or keeps from
// parking, a Commit of the returned Ticket (NotifyAll: always; NotifyOne:
// when this waiter is the one chosen, see the package documentation).
//
// Prepare never blocks.
func (e *EventCount) Prepare() Ticket {
	// The RMW orders the caller's next check of its condition after this
	// increment (seq-cst): a notifier that stored the condition and then
	// loaded count == 0 did so before this RMW, so the check sees its store.
	s := e.state.Add(1)
	if s&countMask == 0 {
		e.state.Add(^uint64(0))
		panic("eventcount: too many outstanding Tickets (Prepare without Cancel or Commit?)")
	}
	return Ticket{e: e, epoch: epochOf(s)}
}

// Cancel ends a Ticket without waiting, typically because the condition
// turned out to be true. The EventCount is left as if Prepare had never been
// called. Cancel never blocks: it is one lock-free atomic operation while no
// waiter is parked, and otherwise takes the internal lock held for a few
// instructions, under which a Ticket ended twice is detected.
func (e *EventCount) Cancel(t Ticket) {
	e.check(t)
	if t.w != nil {
		e.leave(t.w)
		return
	}
	e.release(t.epoch)
}

// Commit parks the calling goroutine until it is woken by a notification
// made after t's Prepare, or until ctx is done.
//
// It returns nil at once, without parking, if a notification has already
// released t (a NotifyAll, or a NotifyOne that found nobody parked), even if
// ctx is done. If ctx ends first it returns
// ctx.Err() and leaves the EventCount as if Prepare had never been called; a
// NotifyOne that had chosen this waiter in the meantime is passed on to the
// next one.
//
// A nil return means "re-check the condition", not "the condition holds":
// another goroutine may have got there first.
//
// On a Ticket armed by Ready, Commit waits on its channel instead of
// selecting on it; after a receive from that channel, end it with Cancel.
//
// A nil ctx panics before anything changes: t is still to be ended (by
// Cancel, say, after a recover).
func (e *EventCount) Commit(ctx context.Context, t Ticket) error {
	_, err := e.commit(ctx, t, nil)
	return err
}

// CommitHand is Commit for a waiter that also takes a value handed to it
// directly by NotifyHand: hand is the place, owned by the caller, that
// NotifyHand gives the value to (a pointer to a struct of the caller's, for
// instance), and must not be nil.
//
// It returns handed == true and a nil error if a NotifyHand chose this
// waiter: the value is then in hand, and the caller owns it, even if ctx
// ended meanwhile (the hand-off wins over the cancellation, as a
// notification does in Commit). Otherwise it returns false and what Commit
// would return. A Ticket armed by Ready is never handed a value.
//
// A nil ctx or a nil hand panics before anything changes.
func (e *EventCount) CommitHand(ctx context.Context, t Ticket, hand any) (handed bool, err error) {
	if hand == nil {
		panic("eventcount: CommitHand with a nil hand")
	}
	return e.commit(ctx, t, hand)
}

// commit is Commit, and CommitHand when hand != nil.
func (e *EventCount) commit(ctx context.Context, t Ticket, hand any) (handed bool, err error) {
	if ctx == nil {
		panic(errNilContext)
	}
	e.check(t)
	w := t.w
	if w == nil {
		if err := ctx.Err(); err != nil {
			return false, e.abandon(t, err)
		}
		if w = e.enqueue(t, hand); w == nil {
			return false, nil
		}
	} else if w == released {
		return false, nil
	}
	// Park may yield once before blocking: the goroutine that will notify
	// is often ready to run on this P (it was just woken); if it notifies
	// meanwhile, neither side blocks on the channel.
	if err := w.Token.Park(ctx); err != nil {
		if e.leave(w) {
			return true, nil
		}
		return false, err
	}
	// The notifier set Kind and woke w under mu, and no longer touches it.
	handed = w.Kind == rsHanded
	e.records.Put(w)
	return handed, nil
}

// Ready arms t for a select statement: it joins the queue as Commit does,
// without blocking, and returns a channel that becomes ready to receive from
// once a notification made after t's Prepare reaches t: at once if one
// already released it.
//
//	t := ec.Prepare()
//	if cond() {
//		ec.Cancel(t)
//		return
//	}
//	select {
//	case <-ec.Ready(&t): // notified: check cond again
//	case <-tick:
//	}
//	ec.Cancel(t) // ends t either way
//
// An armed Ticket is still ended by exactly one Cancel (or Commit, which
// then waits on it). A receive from the channel consumes the notification
// and synchronizes after it, as Commit returning nil does; Cancel then only
// ends t. If the select took another case, Cancel leaves the EventCount as
// if Prepare had never been called, and passes a NotifyOne that had chosen t
// on to the next waiter, exactly as a Commit whose ctx ended. Ready may be
// called again on an armed Ticket (it returns the same channel) until a
// receive from it succeeds.
func (e *EventCount) Ready(t *Ticket) <-chan struct{} {
	e.check(*t)
	if t.w == nil {
		t.w = e.enqueue(*t, nil)
		if t.w == nil {
			t.w = released // a notification released t: nothing to end
		}
	}
	if t.w == released {
		return closed
	}
	return t.w.Token.C()
}

// Register arms t as Ready does and arranges for w.Wake to be called once a
// notification reaches t, or at once if one already has, for a goroutine
// that waits on many sources at a time (see waker.Waker). t is still ended
// by Cancel, after which the notification is to be checked (the condition,
// as always with an EventCount). A second Register replaces the first Waker.
//
// w.Wake is called from the notifier, with the EventCount's internal lock
// held: it must not block and must not call back into the EventCount, as
// the Waker contract asks. A nil w panics, changing nothing.
func (t *Ticket) Register(w waker.Waker) {
	if w == nil {
		panic("eventcount: Register with a nil Waker")
	}
	e := t.e
	if e == nil {
		panic(errNotPrepared)
	}
	e.Ready(t)
	r := t.w
	if r != released {
		e.mu.Lock()
		if r.Kind == rsQueued {
			r.Waker = w
			e.mu.Unlock()
			return
		}
		e.mu.Unlock()
	}
	w.Wake() // already notified
}

// Unregister withdraws the Waker given to Register: once it returns, no
// notification calls it. t stays armed. It does nothing on a Ticket with no
// Waker.
func (t *Ticket) Unregister() {
	r := t.w
	if r == nil || r == released {
		return
	}
	t.e.mu.Lock()
	r.Waker = nil
	t.e.mu.Unlock()
}

// released stands for an armed Ticket that a notification released before
// it could join the queue: its channel is closed, and ending it does
// nothing.
var released = new(waiter)

var closed = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// Wait blocks until ready reports true or ctx is done.
//
// ready is called only from the calling goroutine, so it may have side
// effects (taking an item off a queue, say): Wait returns nil right after a
// call that reported true, and does not call it again. Wait checks ready;
// if it is false and no other waiter is counted, it may yield the processor
// once and check again (it does while such yields find ready true, as
// waker.Parker.Park does); then it prepares, checks again, and commits; it
// repeats after every wake.
//
// If ctx ends first, Wait returns ctx.Err() and leaves the EventCount as it
// found it. ready's answer wins over ctx: a Wait whose ctx is already done
// still returns nil if ready reports true. If ready panics, the panic goes
// on up after Wait has ended its Ticket: the EventCount is left as Wait found
// it. A nil ctx panics before ready is called.
func (e *EventCount) Wait(ctx context.Context, ready func() bool) error {
	if ctx == nil {
		panic(errNilContext)
	}
	if ready() {
		return nil
	}
	// Perhaps yield before joining (see spin.Bet): in a hand-off the
	// goroutine that will make ready true is often ready to run on this P
	// (this one has typically just woken it). If it runs now, ready sees
	// its work, and neither the queue's lock nor a wake is needed on either
	// side; its notification finds no waiter, one load. A notification
	// made during the yield is not lost: ready, checked after it, sees what
	// the notifier stored before notifying. Skipped when others are
	// already waiting, where yielding only adds to the crowd: ready was
	// false for them too. BenchmarkHandoff and BenchmarkBroadcast measure
	// what it saves.
	if e.Waiters() == 0 && e.bet.Yield(ready) {
		return nil
	}
	for {
		t := e.Prepare()
		if e.readyPrepared(t, ready) {
			e.Cancel(t)
			return nil
		}
		if err := e.Commit(ctx, t); err != nil {
			return err
		}
		if ready() {
			return nil
		}
	}
}

// readyPrepared calls ready while t is counted, ending t if ready panics.
func (e *EventCount) readyPrepared(t Ticket, ready func() bool) bool {
	returned := false
	defer func() {
		if !returned {
			e.Cancel(t) // ready panicked: leave nothing behind
		}
	}()
	ok := ready()
	returned = true
	return ok
}

// WaitUntil blocks until poll reports true, and returns the value it
// returned with it, or until ctx is done, and returns the zero T and
// ctx.Err(). It is [EventCount.Wait] for a predicate that produces a value:
// poll is called only from the calling goroutine, so it may take the value
// out of a shared structure. A poll that panics leaves nothing behind, as in
// Wait.
func WaitUntil[T any](ctx context.Context, e *EventCount, poll func() (T, bool)) (T, error) {
	var v T
	err := e.Wait(ctx, func() bool {
		var ok bool
		v, ok = poll()
		return ok
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return v, nil
}

// NotifyOne wakes the waiter that has been parked longest, if any. If no
// waiter is parked but some have prepared, their Commit returns at once
// instead (they cannot be told apart before they park).
//
// With no prepared waiter it does nothing, is not remembered, and costs a
// single atomic load. It never waits for a waiter: at most it takes an
// internal lock held for a few instructions.
func (e *EventCount) NotifyOne() {
	// Seq-cst load, after the caller's store of the condition: count == 0
	// means every Prepare comes later and its caller's check sees the store.
	if e.state.Load()&countMask != 0 {
		e.notifyNSlow(1)
	}
}

// NotifyN wakes up to n waiters, as n calls of NotifyOne in a row would: the
// n that have been parked longest, and if fewer than n are parked, every
// waiter prepared but not parked yet, whose Commit then returns at once. A
// receiver that frees n slots of a buffer tells the n senders waiting for
// room longest with one call.
//
// With n < 1 or no prepared waiter it does nothing and costs at most a
// single atomic load; with nobody parked, one more CAS. Otherwise it takes
// the internal lock once, however many waiters it wakes, and holds it while
// it wakes them, as NotifyAll does; it never waits for a waiter.
func (e *EventCount) NotifyN(n int) {
	// Seq-cst load, as in NotifyOne.
	if n > 0 && e.state.Load()&countMask != 0 {
		e.notifyNSlow(n)
	}
}

// notifyNSlow is the slow path of NotifyOne (n = 1) and NotifyN (n >= 1),
// outlined so that their fast paths inline: it dequeues and wakes the n
// longest-parked waiters, and if the queue runs out first, moves the epoch
// for the waiters not parked (chooseOneLocked).
func (e *EventCount) notifyNSlow(n int) {
	if !e.lockParked() {
		return
	}
	for range n {
		if e.chooseOneLocked() == nil {
			break // nobody was parked: the epoch moved instead
		}
	}
	e.mu.Unlock()
}

// NotifyHand hands a value directly to the waiter that has been parked
// longest, if that waiter parked in CommitHand: it calls give with the
// waiter's hand, which give stores the value in, then wakes the waiter,
// whose CommitHand reports it handed, and reports true. Otherwise (nobody
// parked, or the waiter parked longest parked in Commit or is armed by
// Ready) it does nothing, not even notify, and reports false: the caller
// then stores the value where waiters look for it, and notifies.
//
// With no waiter parked it costs a single atomic load. Otherwise it takes
// the internal lock once, and calls give with it held: give must not block
// and must not call into the EventCount. NotifyHand never waits for a
// waiter.
func (e *EventCount) NotifyHand(give func(hand any)) bool {
	// A waiter that parks after this load was not chosen: the caller
	// notifies after storing the value, and that waiter sees the value or
	// the notification.
	if e.state.Load()&queuedBit == 0 {
		return false
	}
	return e.notifyHandSlow(give)
}

// notifyHandSlow is NotifyHand's slow path, outlined so that the fast path
// inlines.
func (e *EventCount) notifyHandSlow(give func(hand any)) bool {
	e.mu.Lock()
	w := e.queue.Front()
	if w == nil || w.Hand == nil {
		e.mu.Unlock()
		return false
	}
	// Under mu, before the wake: the owner reads hand after its wake, and
	// a leaving owner takes mu first and finds rsHanded.
	give(w.Hand)
	e.takeLocked(w, rsHanded)
	e.mu.Unlock()
	return true
}

// NotifyAll wakes every waiter that prepared before the call: parked ones
// are woken, and the Commit of those not parked yet returns at once.
//
// With no prepared waiter it does nothing and costs a single atomic load. It
// never waits for a waiter, as NotifyOne.
func (e *EventCount) NotifyAll() {
	// Seq-cst load, as in NotifyOne.
	if e.state.Load()&countMask != 0 {
		e.notifyAllSlow()
	}
}

// Outlined slow path to allow inlining of the fast path.
func (e *EventCount) notifyAllSlow() {
	if !e.lockParked() {
		return
	}
	n := uint64(e.queue.Len())
	head := e.queue.TakeAll()
	// One RMW under mu: the dequeued records stop being counted, queued
	// goes off if it was on, and the epoch move makes every Commit not yet
	// enqueued return (it compares under mu, after this).
	e.state.Add(epochOne - n - queuedIf(n > 0))
	// Woken after the RMW, still under mu: a woken owner's next Prepare
	// gets the new epoch.
	for w := head; w != nil; {
		next := w.Detach() // before the wake: the woken owner may reuse w
		w.Kind = rsChosenAll
		w.Wake()
		w = next
	}
	e.mu.Unlock()
}

// Waiters returns the number of goroutines between Prepare and the end of
// their Cancel or Commit that no notification has reached yet. It is a
// snapshot, for metrics and tests, and synchronizes with nothing.
func (e *EventCount) Waiters() int {
	return int(e.state.Load() & countMask)
}

// lockParked begins the slow path of a notification: it locks mu and
// reports true if a waiter may be parked; otherwise it has moved the epoch
// without taking mu (see moveEpochUnparked), and the notification is done.
func (e *EventCount) lockParked() bool {
	if e.moveEpochUnparked() {
		return false
	}
	e.mu.Lock()
	return true
}

// moveEpochUnparked moves the epoch without taking mu if nobody is parked,
// which notifies every counted waiter, and reports whether it had nothing
// else to do.
func (e *EventCount) moveEpochUnparked() bool {
	for {
		s := e.state.Load()
		if s&countMask == 0 {
			return true // everyone left since the caller's load
		}
		if s&queuedBit != 0 {
			return false
		}
		// The CAS fails if a Commit set queued since the load: then that
		// Commit found the old epoch under mu and parks, and mu is needed.
		if e.state.CompareAndSwap(s, s+epochOne) {
			return true
		}
	}
}

// chooseOneLocked dequeues the head of the queue for a NotifyOne (or for
// one of a NotifyN's wake-ups), wakes it and returns it. With nobody parked
// it moves the epoch instead, so that every counted ticket's Commit
// returns, and returns nil.
func (e *EventCount) chooseOneLocked() *waiter {
	w := e.queue.Front()
	if w == nil {
		// queued is off and stays off while mu is held: a Commit that
		// compares the epoch after this sees it moved.
		e.state.Add(epochOne)
		return nil
	}
	e.takeLocked(w, rsChosenOne)
	return w
}

// takeLocked dequeues w, a queued record, in state kind (rsChosenOne or
// rsHanded), and wakes it.
func (e *EventCount) takeLocked(w *waiter, kind uint8) {
	e.queue.Remove(w)
	w.Kind = kind
	e.uncountLocked() // w is no longer counted
	// Woken under mu: whoever takes mu after this finds w's token stored,
	// or consumed by its owner (Park, or a receive from Ready).
	w.Wake()
}

// uncountLocked takes one record that has just left the queue out of the
// count, and clears queued in the same RMW if the queue is now empty.
func (e *EventCount) uncountLocked() {
	// Subtracting c = 1 + queued is adding ^(c-1), as sync/atomic says.
	e.state.Add(^queuedIf(e.queue.Len() == 0))
}

// queuedIf returns queuedBit if cond holds, for clearing it in the same RMW
// as a count update when the queue has just become empty.
func queuedIf(cond bool) uint64 {
	if cond {
		return queuedBit
	}
	return 0
}

// enqueue appends a record for t, with hand, to the queue and returns it,
// or returns nil (and releases t) if a notification has moved the epoch
// since t's Prepare.
func (e *EventCount) enqueue(t Ticket, hand any) *waiter {
	e.mu.Lock()
	for {
		s := e.state.Load()
		if epochOf(s) != t.epoch {
			_, ok := e.releaseLocked(t.epoch)
			e.mu.Unlock()
			if !ok {
				panic(errUnmatched)
			}
			return nil
		}
		if int(s&countMask) <= e.queue.Len() {
			// t is not counted: a Ticket was ended twice.
			e.mu.Unlock()
			panic(errUnmatched)
		}
		// With queued on, the epoch moves only under mu, which this
		// goroutine holds; otherwise the CAS (seq-cst) orders this enqueue
		// against a lock-free epoch move: whichever comes second sees the
		// other.
		if s&queuedBit != 0 || e.state.CompareAndSwap(s, s|queuedBit) {
			break
		}
	}
	w := e.records.GetLocked() // Kind rsQueued
	w.Hand = hand
	e.queue.PushBack(w)
	e.mu.Unlock()
	return w
}

// abandon ends t for a Commit whose ctx was done before it enqueued. A
// notification that moved the epoch since Prepare wins over ctx, as a token
// does in a token's Park: returning err after it would drop it.
func (e *EventCount) abandon(t Ticket, err error) error {
	if e.release(t.epoch) {
		return nil
	}
	return err
}

// leave takes out the owner of w, a record that joined the queue, whose
// Park returned an error (ctx done) or whose armed Ticket is cancelled, and
// gives w back to records. It reports whether a NotifyHand had handed w a
// value: then the owner takes it, as if Park had returned nil.
func (e *EventCount) leave(w *waiter) (handed bool) {
	if w == released {
		return false
	}
	e.mu.Lock()
	switch w.Kind {
	case rsQueued:
		// No notifier has seen w: nobody will wake it, it holds no token.
		e.queue.Remove(w)
		e.uncountLocked()
	case rsChosenOne:
		// Woken under mu: the token is there unless a receive from Ready
		// consumed it. There: not delivered, so hand the notification to
		// the next waiter, as if it had been made just now.
		if w.Token.TryPark() {
			e.chooseOneLocked()
		}
	case rsChosenAll:
		w.Token.TryPark() // every other waiter was woken too: drop it
	case rsHanded:
		// The value is in the owner's hand: it is delivered, whatever the
		// token's state; the token is dropped, as the wake is not needed.
		w.Token.TryPark()
		handed = true
	}
	e.records.PutLocked(w)
	e.mu.Unlock()
	return handed
}

const (
	errUnmatched   = "eventcount: Cancel or Commit without a matching Prepare (Ticket used twice?)"
	errNilContext  = "eventcount: nil Context"
	errNotPrepared = "eventcount: Ticket not returned by this EventCount's Prepare"
)

// release ends a counted ticket that is not in the queue (count--) and
// reports whether the epoch had moved from epoch when it did: whether a
// notification released the ticket first. It panics, changing nothing, if
// no ticket outside the queue is counted.
//
// With queued off, no record is counted (enqueue sets queued before it
// links a record; dequeueing clears it in the RMW that uncounts the last
// one), so count > 0 is the check, and the CAS makes it and the decrement
// one step. With queued on, the count includes the parked records, which
// only mu tells: under it the queue's length is exact and queued cannot change.
func (e *EventCount) release(epoch uint32) (notified bool) {
	for {
		s := e.state.Load()
		if s&queuedBit != 0 {
			e.mu.Lock()
			notified, ok := e.releaseLocked(epoch)
			e.mu.Unlock()
			if !ok {
				panic(errUnmatched)
			}
			return notified
		}
		if s&countMask == 0 {
			panic(errUnmatched)
		}
		// The CAS fails if anyone changed the word since the load, a
		// notifier's epoch move included: its answer is the word's.
		if e.state.CompareAndSwap(s, s-1) {
			return epochOf(s) != epoch
		}
	}
}

// releaseLocked is release with mu held; ok is false, and nothing changed,
// if every counted ticket is in the queue.
func (e *EventCount) releaseLocked(epoch uint32) (notified, ok bool) {
	for {
		s := e.state.Load()
		if int(s&countMask) <= e.queue.Len() {
			return false, false
		}
		if e.state.CompareAndSwap(s, s-1) {
			return epochOf(s) != epoch, true
		}
	}
}

func (e *EventCount) check(t Ticket) {
	if t.e != e {
		panic(errNotPrepared)
	}
}

// noCopy may be embedded into structs which must not be copied after first
// use; see https://golang.org/issues/8005#issuecomment-190753527.
type noCopy struct{}

func (*noCopy) Lock()   {}
func (*noCopy) Unlock() {}
