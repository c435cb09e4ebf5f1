package mpmc

import (
	"context"
	"errors"
	"iter"
	"sync"
	"sync/atomic"

	"github.com/diatomic-go/diatomic/eventcount"
	"github.com/diatomic-go/diatomic/internal/mpmcq"
	"github.com/diatomic-go/diatomic/internal/spin"
)

// The channel: a lock-free bounded MPMC queue (mpmcq.Ring) made awaitable
// on both sides. Receivers waiting for values wait on the EventCount items,
// senders waiting for room on the EventCount room. A receiver waiting in a
// select arms its handle through Ready instead: the handle joins the armed
// list, and its channel ready gets a token at the next send or at the close.
//
// The protocol, on the receiving side, around one word:
//
//	waiting   bits  0..31  sleepers   receivers waiting (see Invariants)
//	          bits 32..63  searching  receivers searching
//
//	Send      load waiting: sleepers != 0, searching == 0 and the ring
//	          empty and open? items.NotifyHand: the receiver parked
//	          longest in Recv or RecvBatch is handed v, and done.
//	          Otherwise enqueue; load waiting: sleepers == 0? done.
//	          searching != 0: load the ring's length; no more values
//	          than searchers? done. Otherwise items.NotifyOne, and if
//	          nArmed > 0, fire every armed handle (lock armedMu; a
//	          non-blocking send on each one's ready; unlink it; unlock).
//	Recv      dequeue; on nothing: if receivers took values since this
//	          handle's last wait (a stream), search: searching++; up to
//	          spin.SearchYields times { yield; dequeue again, stop on a
//	          value }; searching--, and if that made it 0, wake as a send
//	          does once per value in the ring while sleepers != 0 and
//	          searching == 0. A value found: return it. Otherwise
//	          sleepers++; loop { Prepare on items; dequeue again;
//	          CommitHand (handed: return the value); dequeue again };
//	          sleepers--.
//	Ready     value there? return readyNow. Otherwise lock armedMu; arm the
//	          handle (link it, nArmed++, sleepers++); unlock; look again,
//	          and put a token in ready if a value is there now.
//	sendSlow  (the ring refused the value: full, or room short of a batch
//	          for the batched first try) up to spin.Idle's yields while
//	          receivers take values, each followed by a batched try; then
//	          loop { Prepare on room; exact try; Commit }.
//	close     the ring's closed bit; close(done); items.NotifyAll;
//	          room.NotifyAll; fire every armed handle.
//
// Why searching: a receiver that drained the ring while values stream in
// is about to get another, and a send that wakes a parked receiver for it
// pays the EventCount's lock and a channel hand-off per value. A searcher
// stays awake for a bounded number of yields, and while one is counted,
// sends wake nobody for a value that a searcher can take (one each): the
// searchers take the values, and the last one to stop searching wakes a
// receiver for each value left, as the Go scheduler's last spinning M wakes
// another when it finds work. A value beyond the searchers' wakes a parked
// receiver at once: a searcher that yielded may wait behind every
// goroutine ready to run, and the values would wait with it. A receiver
// that has seen no stream does not search, nor yield: it parks at once,
// and a send wakes it onto the sender's P, where a yield would have put it
// behind every runnable goroutine (bench's LatencyMPMC).
//
// Why a hand-off: a receiver woken to take a value from the ring first
// fetches the lines the send wrote, then the ring's; a chan send to a
// blocked receiver writes the value into that receiver's frame, and the
// woken receiver touches nothing else. At light load that difference is
// most of the gap between a wake-up here and chan's (see handOff). Only
// receivers parked in items take a hand-off: an armed handle's goroutine
// may have gone on to another case of its select, with nobody to take the
// value.
//
// Why every armed handle is fired, not one per value as items.NotifyOne
// does: a select reports to nobody which case it took, so a handle whose
// goroutine went on to another case cannot pass a wake-up it was given to
// another receiver, and the value would stay in the channel while other
// receivers sleep. Firing every armed handle leaves nobody asleep; each
// handle fired is disarmed, so a handle whose goroutine stopped selecting
// costs the senders one non-blocking send in all. A waiter in Recv is
// chosen by items.NotifyOne, one per value in FIFO order; if its ctx ends
// once chosen, the EventCount passes the notification on to the next.
//
// Invariants:
//   - sleepers == receivers between their sleepers++ and sleepers-- in a
//     wait + handles armed (on the armed list). It rises before the waiter
//     or the handle looks at the ring for the last time (seq-cst): a send
//     whose load of sleepers finds 0 enqueued before that look, which sees
//     its value.
//   - searching == receivers between their searching++ and searching--.
//     A send that skips its wake-up for a searcher (its load found
//     searching != 0, and its load of the ring's length no more values
//     than that; waking anyway would be safe, only slower) enqueued
//     before the decrements of the searchers counted then, and some
//     decrement after them takes searching to 0 (searches are bounded);
//     the searcher that made it loads the ring's length after it, which
//     counts that value unless it was taken, and wakes a receiver per
//     value counted while sleepers != 0 and searching == 0 (a searcher
//     counted again looks after its own increment).
//   - A value handed (handOff) was never in the ring: its send loaded
//     sleepers != 0 and searching == 0, then found the ring empty and open
//     at one instant (so every value a completed send enqueued was already
//     taken, and no value jumps one before it), then items.NotifyHand
//     chose a receiver parked in CommitHand, which returns it whatever its
//     ctx did meanwhile. A send that hands nothing enqueues and wakes as if
//     it had not tried: NotifyHand that reports false changes nothing.
//   - nArmed == length of the armed list; both change only under armedMu.
//     A handle is armed (on the list) or not, never twice.
//   - A send that finds sleepers != 0 but nArmed == 0 loaded nArmed before
//     the arming of any handle whose Ready then looks again (seq-cst), so
//     that look sees its value.
//   - senders and receivers count open handles of each kind; the ring is
//     closed once either drops to 0, and neither rises again from 0.
//   - done is closed once, by the call whose Close of the ring came first.

// ErrClosed is returned by a send once the channel is closed (every Sender
// handle, or every Receiver handle, has been closed), and by a receive once
// the channel is closed and every value sent before the close has been
// received.
var ErrClosed = errors.New("mpmc: channel closed")

// ErrFull is returned by TrySend when the channel holds Cap values.
var ErrFull = errors.New("mpmc: channel full")

// ErrEmpty is returned by TryRecv and TryRecvBatch when no value is waiting.
var ErrEmpty = errors.New("mpmc: channel empty")

// channel is the state shared by every handle on one channel.
type channel[T any] struct {
	ring *mpmcq.Ring[T] // read-only pointer
	_    [56]byte       // off the line the waiting receivers write

	// waiting packs sleepers (bits 0-31) and searching (bits 32-63), see
	// Invariants, so that a send reads both with its one load; beside
	// items, which a send that finds sleepers notifies.
	waiting atomic.Uint64
	handed  atomic.Uint64         // values handed to parked receivers (handOff), under items' lock
	items   eventcount.EventCount // receivers waiting for values
	_       [64]byte
	room    eventcount.EventCount // senders waiting for room
	_       [64]byte

	senders   atomic.Int64  // open Sender handles
	receivers atomic.Int64  // open Receiver handles
	done      chan struct{} // closed when the channel closes

	armedMu sync.Mutex   // guards armed and every handle's armed links
	armed   *Receiver[T] // armed handles, linked by Receiver.next
	nArmed  atomic.Int64 // length of armed, written under armedMu

	hands sync.Pool // *hand[T]: what parked receivers are handed values in
}

// hand is where a send that finds a receiver parked in Recv or RecvBatch,
// and the ring empty, puts its value (items.NotifyHand); the receiver's
// items.CommitHand then reports it handed. A receiver takes one from
// channel.hands for a wait and puts it back once the wait is over.
type hand[T any] struct{ v T }

// readyNow is the channel Ready returns when a value is already there or
// the channel is closed: a receive from it never blocks.
var readyNow = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// New returns the two ends of a channel that buffers up to capacity values.
// It panics if capacity < 1 (an unbuffered rendezvous is what chan is for)
// or capacity > 2^40.
func New[T any](capacity int) (*Sender[T], *Receiver[T]) {
	if capacity < 1 {
		panic("mpmc: New called with capacity < 1")
	}
	if capacity > 1<<40 {
		panic("mpmc: New called with capacity > 2^40")
	}
	c := &channel[T]{ring: mpmcq.NewRing[T](capacity), done: make(chan struct{})}
	c.senders.Store(1)
	c.receivers.Store(1)
	return &Sender[T]{handle: handle[T]{c: c}}, newReceiver(c)
}

func newReceiver[T any](c *channel[T]) *Receiver[T] {
	return &Receiver[T]{handle: handle[T]{c: c}, ready: make(chan struct{}, 1)}
}

// wakeRecv tells waiting receivers that a value was enqueued: one load when
// nobody waits.
func (c *channel[T]) wakeRecv() {
	// Seq-cst load after the enqueue: a waiter or an arming that raises
	// sleepers later looks at the ring after it, and sees the value.
	if w := c.waiting.Load(); uint32(w) != 0 {
		c.wakeRecvSlow(w)
	}
}

// handOff gives v to the receiver parked longest, if it waits in Recv or
// RecvBatch and the ring is empty and open, and reports whether it did; a
// send that found sleepers and no searcher (one load of waiting) calls it
// before it enqueues. The woken receiver returns v without touching the
// ring, as a chan send gives its value to a blocked receiver: a receiver
// woken to take the value from the ring has to fetch the lines the sender
// wrote, and at light load that is most of what separates a wake-up from
// chan's (bench's LatencyMPMC, the mutex+handoff and mutex+token rows).
//
// Only into an empty ring: a value handed while one that a completed send
// enqueued is still there would jump it (EmptyOpen counts positions claimed
// but not yet written). Only into an open one, so that a send that starts
// after a Close has returned reports ErrClosed. Not while a receiver
// searches: it is awake and takes the value from the ring, where a hand-off
// would wake a parked one. When it reports false, the caller enqueues and
// wakes as if it had not been called: the hand-off changes no state but
// the chosen receiver's.
//
//go:noinline
func (c *channel[T]) handOff(v T) bool {
	if !c.ring.EmptyOpen() {
		return false
	}
	return c.items.NotifyHand(func(h any) {
		h.(*hand[T]).v = v
		// On the line of items' lock, which this goroutine holds: a
		// receiver's stream counts the values handed to others.
		c.handed.Add(1)
	})
}

// searchingOne is one searcher in waiting; one sleeper is 1.
const searchingOne = 1 << 32

// wakeRecvSlow is wakeRecv's slow path, outlined to allow inlining of the
// fast path, for a send whose load of waiting found w with sleepers != 0.
//
//go:noinline
func (c *channel[T]) wakeRecvSlow(w uint64) {
	// A searcher counted at the load looks at the ring after it stops
	// searching, and the last one to stop wakes a receiver per value left:
	// while the ring holds no more values than searchers, each is theirs
	// to take. A value beyond them wakes a parked receiver now rather
	// than wait for a searcher that may be queued behind every goroutine
	// ready to run (LatencyMPMC in the bench module: its p99 with 16
	// producers).
	if s := w >> 32; s != 0 && uint64(c.ring.Len()) <= s {
		return
	}
	c.wake()
}

// wake is the wake-up for one value: items.NotifyOne, and every armed
// handle.
func (c *channel[T]) wake() {
	c.items.NotifyOne()
	if c.nArmed.Load() != 0 {
		c.fireArmed()
	}
}

// fireArmed puts a token in the ready channel of every armed handle and
// disarms them.
func (c *channel[T]) fireArmed() {
	c.armedMu.Lock()
	n := int64(0)
	for r := c.armed; r != nil; {
		next := r.next
		select {
		case r.ready <- struct{}{}:
		default: // a token from before is still there
		}
		r.armed, r.next, r.prev = false, nil, nil
		n++
		r = next
	}
	c.armed = nil
	c.nArmed.Add(-n)
	c.waiting.Add(-uint64(n))
	c.armedMu.Unlock()
}

// arm links r into the armed list unless it is there already.
func (c *channel[T]) arm(r *Receiver[T]) {
	c.armedMu.Lock()
	if !r.armed {
		r.armed, r.prev, r.next = true, nil, c.armed
		if c.armed != nil {
			c.armed.prev = r
		}
		c.armed = r
		c.nArmed.Add(1)
		c.waiting.Add(1) // sleepers++
	}
	c.armedMu.Unlock()
}

// disarm unlinks r from the armed list if it is there.
func (c *channel[T]) disarm(r *Receiver[T]) {
	c.armedMu.Lock()
	if r.armed {
		if r.prev == nil {
			c.armed = r.next
		} else {
			r.prev.next = r.next
		}
		if r.next != nil {
			r.next.prev = r.prev
		}
		r.armed, r.next, r.prev = false, nil, nil
		c.nArmed.Add(-1)
		c.waiting.Add(^uint64(0)) // sleepers--
	}
	c.armedMu.Unlock()
}

// freed tells senders waiting for room that n values left the ring.
func (c *channel[T]) freed(n int) {
	// A seq-cst load after the dequeue's tail CAS: a sender that prepared
	// later sees the room when it looks again; one that prepared earlier is
	// counted here and woken.
	c.room.NotifyN(n)
}

// close closes the ring, and if this call did it, closes done and wakes
// every waiter on both sides.
func (c *channel[T]) close() {
	if !c.ring.Close() {
		return
	}
	// After the closed bit: every woken waiter sees it.
	close(c.done)
	c.items.NotifyAll()
	c.room.NotifyAll()
	if c.nArmed.Load() != 0 {
		c.fireArmed()
	}
}

// handle is what a Sender and a Receiver have alike: the channel they are
// on and their own closed flag. kind, in its methods, names the handle's
// type in the panics.
type handle[T any] struct {
	c      *channel[T]
	closed atomic.Bool // this handle is closed
}

// chan_ panics if h is part of a zero value.
func (h *handle[T]) chan_(kind string) *channel[T] {
	if h.c == nil {
		panic("mpmc: " + kind + " not made by New or Clone")
	}
	return h.c
}

// open panics if h is part of a zero value or closed, before anything
// changes.
func (h *handle[T]) open(kind, op string) *channel[T] {
	c := h.chan_(kind)
	if h.closed.Load() {
		panic("mpmc: " + kind + "." + op + " on a closed handle")
	}
	return c
}

// A Sender is one handle on the sending end of a channel. Any number of
// goroutines may use one Sender concurrently, and Clone makes more.
type Sender[T any] struct {
	_ noCopy
	handle[T]
}

// Send appends v to the channel, waiting while it is full.
//
// It returns nil once v is in the channel, and ErrClosed if the channel is
// closed, or this handle is closed by another goroutine during the wait; it
// returns ctx.Err() if ctx ends during the wait. In both cases v was not
// enqueued. A Send that finds room succeeds even if ctx is already done.
// A Send that finds the channel full yields its P and tries again while
// receivers keep taking values, then takes any free slot, or parks if there
// is none. So may a Send that finds it nearly full (fewer free slots than
// an eighth of its capacity, at most 64): it waits for a run of free slots
// instead of taking each one as a receiver frees it.
//
// A Send (or TrySend) that finds the channel empty and open, and receivers
// parked in Recv or RecvBatch with none searching, hands v to the one that
// has waited longest instead of storing it, as a chan send does to a
// blocked receiver: that receiver returns v, Len never counts it, and no
// handle armed by Ready is woken for it.
//
// Send panics if ctx is nil or if this handle was closed before the call.
func (s *Sender[T]) Send(ctx context.Context, v T) error {
	c := s.open("Sender", "Send")
	if ctx == nil {
		panic("mpmc: Sender.Send with a nil Context")
	}
	// The hand-off's check written out, as the wake-up's is below: a
	// helper would be a call on every Send (it does not inline).
	if w := c.waiting.Load(); uint32(w) != 0 && w>>32 == 0 && c.handOff(v) {
		return nil // handOff's comment says why searchers get no hand-off
	}
	// Batched: in a ring kept full, senders fill runs of slots that the
	// receivers left well behind, instead of each slot as it is freed
	// (see mpmcq.Ring.TryEnqueueBatched); sendSlow's look after Prepare
	// takes any room.
	st := c.ring.TryEnqueueBatched(v)
	if st == mpmcq.OK {
		// The common case, sent's and wakeRecv's written out so that the
		// enqueue is its only call outside the rare wake-up (wakeRecv is
		// just above the inliner's budget), as in mpsc's Send;
		// BenchmarkThroughput at -cpu 1 measures the calls.
		if w := c.waiting.Load(); uint32(w) != 0 {
			c.wakeRecvSlow(w)
		}
		return nil
	}
	if st != mpmcq.Full {
		return c.sent(st)
	}
	return s.sendSlow(ctx, v)
}

// sent maps an enqueue's status to a send's error, telling waiting
// receivers about the value on success.
func (c *channel[T]) sent(st mpmcq.Status) error {
	switch st {
	case mpmcq.OK:
		c.wakeRecv()
		return nil
	case mpmcq.Closed:
		return ErrClosed
	}
	return ErrFull
}

// sendSlow waits for room: first by yielding while receivers make progress
// (spin.Idle), then parked on room. A parked sender costs a receiver a
// wake-up per value, a yielding one nothing; but a sender blocked on idle
// receivers must stop using CPU.
func (s *Sender[T]) sendSlow(ctx context.Context, v T) error {
	c := s.c
	var idle spin.Idle
	idle.Start(c.ring.Released())
	for ctx.Err() == nil && idle.Yield(c.ring.Released()) {
		if s.closed.Load() {
			return ErrClosed
		}
		if st := c.ring.TryEnqueueBatched(v); st != mpmcq.Full {
			return c.sent(st)
		}
	}
	for {
		t := c.room.Prepare()
		// Look again after Prepare (seq-cst): a dequeue, a Close or a
		// handle Close either came before this look, which sees it, or
		// after the Prepare, and its notification wakes Commit.
		st := mpmcq.Closed
		if !s.closed.Load() {
			st = c.ring.TryEnqueue(v)
		}
		if st != mpmcq.Full {
			c.room.Cancel(t)
			return c.sent(st)
		}
		if err := c.room.Commit(ctx, t); err != nil {
			return err // Commit passes on a notification it was chosen for
		}
	}
}

// TrySend appends v to the channel if that needs no waiting. It returns
// ErrFull if the channel held Cap values at some instant during the call
// (never because other goroutines were sending or receiving at the same
// time) and ErrClosed if the channel is closed; in both cases v was not
// enqueued. It panics if this handle was closed before the call.
func (s *Sender[T]) TrySend(v T) error {
	c := s.open("Sender", "TrySend")
	if w := c.waiting.Load(); uint32(w) != 0 && w>>32 == 0 && c.handOff(v) {
		return nil // as in Send
	}
	return c.sent(c.ring.TryEnqueue(v))
}

// Clone returns a new open handle on the same channel. The sending end stays
// open until every Sender handle, this one and its clones included, is
// closed. Clone panics if this handle is closed.
func (s *Sender[T]) Clone() *Sender[T] {
	c := s.open("Sender", "Clone")
	c.senders.Add(1) // this handle is open, so the count is not 0
	return &Sender[T]{handle: handle[T]{c: c}}
}

// Close closes this handle: sends blocked on it return ErrClosed, and any
// later Send, TrySend or Clone on it panics. Closing the last open Sender
// handle closes the channel: receivers receive every value sent before,
// then ErrClosed. Close is idempotent and may be called from any goroutine.
func (s *Sender[T]) Close() {
	c := s.chan_("Sender")
	if !s.closed.CompareAndSwap(false, true) {
		return
	}
	if c.senders.Add(-1) == 0 {
		c.close()
		return
	}
	c.room.NotifyAll() // sends blocked on this handle look at its flag again
}

// Done returns a channel that is closed once the channel is closed, for
// any reason: every Sender handle or every Receiver handle was closed. A
// producer can select on it while it prepares work. Any goroutine may call
// it, on any handle, closed or not.
func (s *Sender[T]) Done() <-chan struct{} { return s.chan_("Sender").done }

// A Receiver is one handle on the receiving end of a channel. Any number of
// goroutines may use one Receiver concurrently, and Clone makes more; each
// goroutine that selects on Ready should use a handle of its own (see
// Ready).
type Receiver[T any] struct {
	_ noCopy
	handle[T]
	ready chan struct{} // capacity 1: the token of an armed handle
	mark  atomic.Uint64 // c.taken() when a wait of this handle last returned

	// Guarded by c.armedMu.
	armed      bool
	prev, next *Receiver[T]
}

// result maps a dequeue's status to a receive's error, telling waiting
// senders about the room on success.
func (c *channel[T]) result(n int, st mpmcq.Status) error {
	switch st {
	case mpmcq.OK:
		c.freed(n)
		return nil
	case mpmcq.Closed:
		return ErrClosed
	}
	return ErrEmpty
}

// Recv removes and returns the oldest value, waiting until there is one.
//
// It returns ErrClosed once the channel is closed and every value sent
// before the close has been received (or if this handle is closed by
// another goroutine during the wait), and ctx.Err() if ctx ends while the
// channel is empty, in which case nothing was removed. A value already
// waiting is returned even if ctx is done. Waiting receivers are woken in
// the order they began to wait, one per value sent, but for the values that
// a receiver still searching after a stream takes first (see the package
// documentation).
//
// Recv panics if ctx is nil or if this handle was closed before the call.
func (r *Receiver[T]) Recv(ctx context.Context) (T, error) {
	c := r.open("Receiver", "Recv")
	if ctx == nil {
		panic("mpmc: Receiver.Recv with a nil Context")
	}
	v, st := c.ring.Poll()
	if st == mpmcq.OK {
		c.freed(1) // the common case, result's written out (see Send)
		return v, nil
	}
	if st == mpmcq.Closed {
		return v, c.result(1, st)
	}
	v, _, err := r.wait(ctx, nil)
	return v, err
}

// poll dequeues one value (buf == nil) or a batch into buf; exact asks for
// TryDequeue's exact Empty rather than Poll's.
func (c *channel[T]) poll(buf []T, exact bool) (v T, n int, st mpmcq.Status) {
	switch {
	case buf == nil && exact:
		v, st = c.ring.TryDequeue()
		n = 1
	case buf == nil:
		v, st = c.ring.Poll()
		n = 1
	case exact:
		n, st = c.ring.DequeueBatch(buf)
	default:
		n, st = c.ring.PollBatch(buf)
	}
	return v, n, st
}

// wait waits for a value (buf == nil) or a batch into buf, and returns it
// with the receive's error: nil, ErrClosed or ctx.Err(). A value taken from
// the ring has been reported to waiting senders (result); a value handed
// by a send (handOff) was never in the ring, and comes alone.
//
// A receiver that has seen a stream (see stream) first searches: it yields
// its P up to spin.SearchYields times, looking after each yield, counted in
// searching, so that senders skip waking a parked receiver for the values
// it will find. Otherwise, or once the search found nothing, it parks at
// once: a yield would put it behind every runnable goroutine, where a
// parked receiver woken by a send runs next on the sender's P.
//
// If ctx ends first, a value handed meanwhile is returned (the EventCount
// reports it), and otherwise one last exact look decides: a value found
// then is returned (nil error), and ctx.Err() only if the channel was empty
// and open at that look, so that a cancelled receive is one that found
// nothing. The EventCount has already passed on a notification this waiter
// was chosen for.
func (r *Receiver[T]) wait(ctx context.Context, buf []T) (v T, n int, err error) {
	c := r.c
	if r.stream() {
		if v, n, st := r.search(buf); st != mpmcq.Empty {
			r.mark.Store(c.taken() - uint64(n)) // found: a stream still
			return v, n, c.result(n, st)
		}
	}
	c.waiting.Add(1)                // sleepers++, before the looks below: see Invariants
	defer c.waiting.Add(^uint64(0)) // sleepers--
	var h *hand[T]                  // taken from c.hands before the first CommitHand only
	defer func() {
		if h != nil {
			c.hands.Put(h) // CommitHand has returned: nobody else holds h
		}
	}()
	for {
		t := c.items.Prepare()
		// Look after Prepare (seq-cst): a send either enqueued before, and
		// this look sees it, or notifies after the Prepare.
		v, n, st := c.poll(buf, false)
		if st != mpmcq.Empty || r.closed.Load() {
			c.items.Cancel(t)
			if st == mpmcq.Empty {
				st = mpmcq.Closed // this handle was closed meanwhile
			}
			r.mark.Store(c.taken())
			return v, n, c.result(n, st)
		}
		if h == nil {
			h, _ = c.hands.Get().(*hand[T])
			if h == nil {
				h = new(hand[T])
			}
		}
		handed, err := c.items.CommitHand(ctx, t, h)
		if handed {
			// A send's value, never in the ring: it freed no room. It
			// wins over ctx, as a value found by the last look does.
			var zero T
			v, h.v = h.v, zero
			if buf != nil {
				buf[0] = v
			}
			r.mark.Store(c.taken())
			return v, 1, nil
		}
		if err != nil {
			if v, n, st = c.poll(buf, true); st == mpmcq.Empty {
				return v, 0, err
			}
			r.mark.Store(c.taken())
			return v, n, c.result(n, st)
		}
		// Woken: look before preparing again, so that a receiver woken
		// for a value takes it without another ticket. If another took it,
		// the loop prepares and looks again.
		if v, n, st = c.poll(buf, false); st != mpmcq.Empty {
			r.mark.Store(c.taken())
			return v, n, c.result(n, st)
		}
	}
}

// stream reports whether receivers took values since this handle's last
// wait returned, from the ring or handed, besides the ones that wait
// returned: whether values arrive faster than one wake-up each. Values
// handed count too: without them, a receiver that is handed every value
// would never search, and each value would cost a parked receiver's
// wake-up (bench/README.md, the worker pool's hand-off: its p99 with 16
// producers).
func (r *Receiver[T]) stream() bool { return r.c.taken() != r.mark.Load() }

// taken returns how many values receivers have had in all: taken from the
// ring (its Released count), or handed to them by a send. Two atomic loads.
func (c *channel[T]) taken() uint64 { return c.ring.Released() + c.handed.Load() }

// search looks for a value after each of up to spin.SearchYields yields,
// counted in searching, and returns the first dequeue that did not report
// Empty, or Empty if none did.
func (r *Receiver[T]) search(buf []T) (v T, n int, st mpmcq.Status) {
	c := r.c
	c.waiting.Add(searchingOne) // searching++, before the looks below: see Invariants
	st = mpmcq.Empty            // until a look finds more
	for range spin.SearchYields {
		spin.Yield()
		if searchHook != nil {
			searchHook(false)
		}
		if v, n, st = c.poll(buf, false); st != mpmcq.Empty || r.closed.Load() {
			break
		}
	}
	if searchHook != nil {
		searchHook(true)
	}
	c.stopSearch()
	return v, n, st
}

// searchHook, nil outside tests, runs in a search after each yield (false)
// and before its end (true), while the search is counted: sends made there
// skip their wake-ups while the ring holds no more values than searchers.
var searchHook func(ending bool)

// stopSearch ends a search: searching--, and if that made it 0, a wake-up
// for each value left in the ring, as many as receivers wait. The sends
// that skipped their wake-ups while searchers were counted enqueued before
// this decrement, so the ring's length, loaded after it, counts the values
// they left that nobody took.
func (c *channel[T]) stopSearch() {
	if c.waiting.Add(^uint64(searchingOne-1))>>32 != 0 {
		return // a searcher still counted stops later, and looks then
	}
	for n := c.ring.Len(); n > 0; n-- {
		if w := c.waiting.Load(); uint32(w) == 0 || w>>32 != 0 {
			return // nobody waits, or a new searcher will look
		}
		c.wake()
	}
}

// TryRecv removes and returns the oldest value if there is one. It returns
// ErrEmpty if the channel held no value at some instant during the call,
// and ErrClosed once the channel is closed and drained. It does not wait for
// values, but it does wait for a send that has claimed the next position to
// finish writing it (a few instructions). It panics if this handle was
// closed before the call.
func (r *Receiver[T]) TryRecv() (T, error) {
	c := r.open("Receiver", "TryRecv")
	v, st := c.ring.TryDequeue()
	return v, c.result(1, st)
}

// RecvBatch waits until at least one value is in the channel, then moves as
// many of the oldest values as fit into buf, in order, with one atomic
// claim, and returns how many. A RecvBatch that waited may instead be
// handed one value by a send that found the channel empty (see Send), and
// then returns that value alone. Its errors are those of Recv. With an
// empty buf it returns 0 and nil at once.
func (r *Receiver[T]) RecvBatch(ctx context.Context, buf []T) (int, error) {
	c := r.open("Receiver", "RecvBatch")
	if ctx == nil {
		panic("mpmc: Receiver.RecvBatch with a nil Context")
	}
	if len(buf) == 0 {
		return 0, nil
	}
	n, st := c.ring.PollBatch(buf)
	if st == mpmcq.OK || st == mpmcq.Closed {
		return n, c.result(n, st)
	}
	_, n, err := r.wait(ctx, buf)
	if err != nil {
		return 0, err
	}
	return n, nil
}

// TryRecvBatch moves as many of the oldest values as fit into buf, without
// waiting for values, and returns how many. It returns ErrEmpty if the
// channel held no value at some instant during the call and ErrClosed once
// it is closed and drained. With an empty buf it returns 0 and nil.
func (r *Receiver[T]) TryRecvBatch(buf []T) (int, error) {
	c := r.open("Receiver", "TryRecvBatch")
	if len(buf) == 0 {
		return 0, nil
	}
	n, st := c.ring.DequeueBatch(buf)
	return n, c.result(n, st)
}

// All returns an iterator over the values received with Recv until the
// channel is closed and drained or ctx ends; check ctx.Err() afterwards to
// tell the two apart. Breaking out of the loop receives nothing more. Any
// number of goroutines may range over All of one handle at once: each value
// goes to one of them.
func (r *Receiver[T]) All(ctx context.Context) iter.Seq[T] {
	r.open("Receiver", "All")
	if ctx == nil {
		panic("mpmc: Receiver.All with a nil Context")
	}
	return func(yield func(T) bool) {
		for {
			v, err := r.Recv(ctx)
			if err != nil || !yield(v) {
				return
			}
		}
	}
}

// Ready returns a channel that becomes ready to receive from once the
// channel holds a value or is closed, for use in a select beside other
// cases; then call TryRecv or TryRecvBatch:
//
//	for {
//		v, err := rx.TryRecv()
//		if err == nil {
//			handle(v)
//			continue
//		}
//		if err == mpmc.ErrClosed {
//			return
//		}
//		select {
//		case <-rx.Ready():
//		case <-tick.C:
//			flush()
//		}
//	}
//
// Each call arms the handle anew; when a value is already there (or the
// channel is closed), Ready returns a channel that is ready at once without
// arming anything. A wake-up may be spurious (another receiver took the
// value: TryRecv then reports ErrEmpty, and the loop calls Ready again),
// and is never lost: a value sent after Ready was called makes its channel
// ready, unless the send handed it to a receiver parked in Recv or
// RecvBatch (see Send), which takes it; then no value is left for the
// handle.
//
// The next send that stores its value in the channel, or the close, wakes
// every handle armed at that moment, so a receiver that took another case
// leaves no value behind while others sleep; it costs the senders one
// wasted non-blocking send. A worker that
// only waits for values should use Recv, which wakes one waiter per value.
// Ready's channel belongs to the handle: goroutines that select at the same
// time should each use their own Clone, since one wake-up of a handle
// readies only one of the goroutines selecting on it.
//
// Ready panics if this handle is closed.
func (r *Receiver[T]) Ready() <-chan struct{} {
	c := r.open("Receiver", "Ready")
	if c.ring.Len() > 0 || c.ring.Closed() {
		return readyNow
	}
	select {
	case <-r.ready: // a token nobody took: stale, since the ring looked empty
	default:
	}
	c.arm(r)
	// Look again after arming (seq-cst, see Invariants): a send that
	// missed the arming enqueued before this look.
	if c.ring.Len() > 0 || c.ring.Closed() {
		select {
		case r.ready <- struct{}{}:
		default:
		}
	}
	return r.ready
}

// Clone returns another open handle on the receiving end. The channel stays
// open for senders until every Receiver handle, this one and its clones
// included, is closed. Clone panics if this handle is closed.
func (r *Receiver[T]) Clone() *Receiver[T] {
	c := r.open("Receiver", "Clone")
	c.receivers.Add(1) // this handle is open, so the count is not 0
	return newReceiver(c)
}

// Close closes this handle: receives blocked on it return ErrClosed, and
// any later call on it but Close, Len and Cap panics. Closing the last open
// Receiver handle closes the channel: every send, blocked or later, on any
// handle, returns ErrClosed, and the values left in it are dropped. Close
// is idempotent and may be called from any goroutine.
func (r *Receiver[T]) Close() {
	c := r.chan_("Receiver")
	if !r.closed.CompareAndSwap(false, true) {
		return
	}
	c.disarm(r)
	if c.receivers.Add(-1) == 0 {
		c.close()
		return
	}
	c.items.NotifyAll() // receives blocked on this handle look at its flag again
}

// Len returns the number of values in the channel, counting sends that have
// claimed a position and are finishing writing it. Any goroutine may call
// it; the answer may be stale by the time it returns.
func (r *Receiver[T]) Len() int { return r.chan_("Receiver").ring.Len() }

// Cap returns the capacity passed to New, exactly (it is not rounded up).
func (r *Receiver[T]) Cap() int { return r.chan_("Receiver").ring.Cap() }

// noCopy may be embedded into structs which must not be copied after first
// use; see https://golang.org/issues/8005#issuecomment-190753527.
type noCopy struct{}

func (*noCopy) Lock()   {}
func (*noCopy) Unlock() {}
