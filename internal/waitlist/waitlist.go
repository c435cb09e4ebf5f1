// Package waitlist holds the intrusive FIFO list of waiter records that
// eventcount and notify queue their parked goroutines in, and the cache
// through which each of them reuses its records.
//
// A Waiter is the record of one waiting goroutine: its links, its Token,
// and the fields its owning structure guards with its mutex. List and Cache
// do no locking of their own: the owning structure holds its mutex around
// every call, except Cache.Put, which is lock-free.
//
// Records are cached per structure, not in a pool shared by every goroutine,
// so a structure's records (and their channels) are only ever used by the
// goroutines that use the structure: like a channel, a structure used in a
// testing/synctest bubble stays in that bubble, and nothing on a production
// path has to know about bubbles.
//
// Invariants (for the owner to keep; CheckList checks the first two):
//   - A record is in at most one List, and then its prev and next links are
//     those of that list; a record out of every list has nil links.
//   - head.prev == nil, tail.next == nil, and Len counts the records.
//   - A record is put in the Cache only when its Token holds no token and
//     no notifier will wake it, so a record taken from the Cache is clean.
package waitlist

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/diatomic-go/diatomic/internal/spin"
	"github.com/diatomic-go/diatomic/waker"
)

// Token is the binary semaphore of a record: a channel of capacity 1 that
// holds the token. The notifier that takes a record out of its list stores
// the token with a send that never blocks; the record's owner takes it
// with a receive, which blocks in Park while the token is not there, and
// which a select can make on C. A token stored while the owner is blocked
// goes straight to it: one channel operation on each side, and no other
// atomic word to change first. A Token never blocks its notifier and uses
// no CPU while its owner waits.
//
// The zero Token must not be used: records are made by Cache.GetLocked.
type Token struct {
	ch  chan struct{}
	bet spin.Bet // whether Park yields once before it blocks
}

// Wake stores the token. A token already stored absorbs it (the owners
// store at most one per listing). It never blocks.
func (t *Token) Wake() {
	select {
	case t.ch <- struct{}{}:
	default:
	}
}

// TryPark takes the token if it is stored and reports whether it did. It
// takes no lock when there is none (the runtime's check of an empty
// channel is lock-free).
func (t *Token) TryPark() bool {
	select {
	case <-t.ch:
		return true
	default:
		return false
	}
}

// C returns the channel the token is stored in: a receive from it takes
// the token as TryPark and Park do.
func (t *Token) C() <-chan struct{} { return t.ch }

// Park takes the token, blocking until it is stored or ctx is done. It
// returns nil when it took the token, and ctx.Err() when ctx ended first;
// a token stored by then is taken instead, and a Park that returns an error
// took none. Before it blocks it may yield the processor once (see
// spin.Bet): in a hand-off the notifier is often ready to run on this P,
// and if it stores the token meanwhile, neither side blocks.
func (t *Token) Park(ctx context.Context) error {
	if t.TryPark() {
		return nil
	}
	if t.bet.Yield(t.stored) {
		t.TryPark() // stored: only the owner takes it, so this succeeds
		return nil
	}
	done := ctx.Done()
	if done == nil {
		<-t.ch // cannot be cancelled: a plain receive is cheaper than a select
		return nil
	}
	select {
	case <-t.ch:
		return nil
	case <-done:
	}
	if t.TryPark() {
		return nil // the token wins over the cancellation
	}
	return ctx.Err()
}

// stored reports whether the token is stored; Park's bet asks it after its
// yield.
func (t *Token) stored() bool { return len(t.ch) != 0 }

// Waiter is the record of one waiting goroutine.
type Waiter struct {
	Token Token
	// Kind says who took the record out of the list (the owner's
	// constants; 0 while listed). Guarded by the owner's mutex.
	Kind uint8
	// Waker, when not nil, is woken with Token by the notification that
	// takes the record out of the list. Guarded by the owner's mutex.
	Waker waker.Waker
	// Hand, when not nil, is what a notification that takes the record
	// out of the list may give a value to before it wakes it (see
	// eventcount's CommitHand). Guarded by the owner's mutex.
	Hand any

	prev, next *Waiter // list links, guarded by the owner's mutex
	free       *Waiter // Cache link, owned by whoever holds the record
}

// Wake wakes the record a notification has just taken out of the list: its
// Token, then its Waker if it has one. The owners call it with their mutex
// held, so that whoever takes the mutex next finds the token delivered
// (stored, or taken by the record's owner). Waker is read first: once the
// token is taken, the owner may reuse the record.
func (w *Waiter) Wake() {
	ext := w.Waker
	w.Token.Wake()
	if ext != nil {
		ext.Wake()
	}
}

// Next returns the record after w in the list (or in the chain TakeAll
// returned), nil at the end.
func (w *Waiter) Next() *Waiter { return w.next }

// List is a FIFO list of records. The zero value is an empty list.
type List struct {
	head, tail *Waiter
	n          int
}

// Len returns the number of records in l.
func (l *List) Len() int { return l.n }

// Front returns the oldest record, nil if l is empty.
func (l *List) Front() *Waiter { return l.head }

// Back returns the newest record, nil if l is empty.
func (l *List) Back() *Waiter { return l.tail }

// PushBack appends w, which is in no list, to l.
func (l *List) PushBack(w *Waiter) {
	w.prev, w.next = l.tail, nil
	if l.tail == nil {
		l.head = w
	} else {
		l.tail.next = w
	}
	l.tail = w
	l.n++
}

// Remove takes w, which is in l, out of it.
func (l *List) Remove(w *Waiter) {
	if w.prev == nil {
		l.head = w.next
	} else {
		w.prev.next = w.next
	}
	if w.next == nil {
		l.tail = w.prev
	} else {
		w.next.prev = w.prev
	}
	w.prev, w.next = nil, nil
	l.n--
}

// TakeAll empties l and returns its records as a chain, oldest first, to be
// walked with Next. The links stay in place until the caller cuts them with
// Detach, one record at a time: read Next before waking a record, since its
// woken owner may reuse it.
func (l *List) TakeAll() *Waiter {
	head := l.head
	l.head, l.tail, l.n = nil, nil, 0
	return head
}

// Detach cuts w out of the chain TakeAll returned, and returns the record
// that followed it.
func (w *Waiter) Detach() *Waiter {
	next := w.next
	w.prev, w.next = nil, nil
	return next
}

// CheckList reports the first broken link of l, checking every record with
// ok (the owner's view of a listed record), or nil.
func CheckList(l *List, ok func(*Waiter) error) error {
	n := 0
	var prev *Waiter
	for w := l.head; w != nil; prev, w = w, w.next {
		if w.prev != prev {
			return fmt.Errorf("record %d: prev %p, want %p", n, w.prev, prev)
		}
		if err := ok(w); err != nil {
			return fmt.Errorf("record %d: %w", n, err)
		}
		n++
	}
	if l.tail != prev {
		return fmt.Errorf("tail %p, want %p", l.tail, prev)
	}
	if n != l.n {
		return fmt.Errorf("Len %d, %d records in the list", l.n, n)
	}
	return nil
}

// Cache keeps records for reuse, so that the steady state allocates
// nothing: a structure keeps the records of its peak number of waiters. The
// zero value is empty.
type Cache struct {
	free *Waiter // guarded by the owner's mutex

	// returned is a lock-free stack of records given back without the
	// owner's mutex: pushed one at a time, emptied in one Swap under the
	// mutex (push + take-all is immune to ABA).
	returned atomic.Pointer[Waiter]
}

// GetLocked returns a clean record, reusing one if it can. The owner's
// mutex must be held.
func (c *Cache) GetLocked() *Waiter {
	w := c.free
	if w == nil {
		// Swap pairs with the CAS of Put: the writes of those who gave the
		// records back (their consumption of the token included) happen
		// before.
		w = c.returned.Swap(nil)
		if w == nil {
			return &Waiter{Token: Token{ch: make(chan struct{}, 1)}}
		}
	}
	c.free = w.free
	w.free = nil
	return w
}

// PutLocked gives back w, whose Token holds no token and will be woken by
// nobody. The owner's mutex must be held.
func (c *Cache) PutLocked(w *Waiter) {
	w.Kind, w.Waker, w.Hand = 0, nil, nil
	w.free = c.free
	c.free = w
}

// Put is PutLocked without the owner's mutex.
func (c *Cache) Put(w *Waiter) {
	w.Kind, w.Waker, w.Hand = 0, nil, nil
	for {
		top := c.returned.Load()
		w.free = top
		if c.returned.CompareAndSwap(top, w) {
			return
		}
	}
}

// CountLocked returns the number of records in c, for tests. The owner's
// mutex must be held.
func (c *Cache) CountLocked() int {
	n := 0
	for w := c.free; w != nil; w = w.free {
		n++
	}
	for w := c.returned.Load(); w != nil; w = w.free {
		n++
	}
	return n
}
