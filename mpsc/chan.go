package mpsc

import (
	"context"
	"errors"
	"iter"
	"sync/atomic"

	"github.com/diatomic-go/diatomic/eventcount"
	"github.com/diatomic-go/diatomic/internal/mpscq"
	"github.com/diatomic-go/diatomic/internal/spin"
	"github.com/diatomic-go/diatomic/waker"
)

// The channel: a lock-free queue (mpscq.Ring or mpscq.List, behind the
// queue interface) made awaitable. A receiver that waits announces it in
// the channel's wait word and parks on a channel of its own, hand, on which
// the send that takes the wait sends it a token or, into an empty queue,
// its value itself, as a chan send does to a blocked receiver. Ready and
// Register arm the receiver's waker.WakeSink instead (see select.go).
// Senders waiting for room in a bounded queue wait on an
// eventcount.EventCount.
//
// State, all but the queue's, waiting's and hand's read-only after New:
//
//	q        the queue; its closed bit is the channel's close (see mpscq)
//	ring     q when bounded, for the senders waiting for room; else nil
//	waiting  recvIdle, recvLooking (the receiver announced a wait and
//	         looks again) or recvParked (it is blocked on hand)
//	hand     capacity 1: the one handoff owed by the call that took the
//	         wait, a value or a token
//	senders  open Sender handles; the queue is closed when it reaches 0
//	done     Sender.Done's channel: nil, made, then &closedChan (select.go)
//	reg      per Receiver: the guard of its waits and registrations
//
// Protocol:
//
//	Send     a receiver seen parked (one load): take the wait (one CAS)
//	         and hand v if the queue is empty and open, else enqueue and
//	         send a token. Otherwise enqueue (one RMW claim, one store),
//	         then wake: the sink's Wake, and a wait announced since is
//	         taken (one Swap) and sent a token; two loads while the
//	         receiver neither waits nor selects. Full ring: yield while the
//	         receiver releases room (spin.Idle), then Prepare on room,
//	         send again, Commit; cancelled: Commit passes on its wake.
//	Recv     poll (fast path: a value, or closed); otherwise enter reg,
//	         then wait: announce, poll again, park, until a value (polled
//	         or handed), closed or ctx done (then the wait is withdrawn and
//	         one exact look decides); exit reg. A value taken frees room:
//	         room.NotifyOne while senders wait (one load otherwise).
//	close    the queue's closed bit (Close is the linearization point), then
//	         wake, room.NotifyAll, and done closed.
//
// Closing needs no count of sends in flight: a send either claimed a
// position before the bit was set, and its value will be read before the
// receiver sees "closed", or it fails. So the hot path has no extra RMW.
//
// Fast paths: a Send that finds no receiver parked and room, and a receive
// that finds a value, make no call but the queue's; what they owe the other
// side (wake's two loads, freed's one) is written out in them, and every
// other case takes a call out of line (send, sendSlow, recvSlow, recvBatchSlow).
//
// Waiting (see package spin): a receive that found nothing may yield once
// before it announces its wait (spin.Bet, Receiver.bet); a Ready
// whose senders are streaming yields a few times before it arms (see
// streamed); a sender blocked on a full ring yields only while its
// receiver releases room (spin.Idle); a RecvBatch that found a short batch
// spaces its next read (spin.Pace, see RecvBatch).
//
// Invariants:
//   - senders counts the open Sender handles; the queue is closed once it
//     drops to 0 (it never rises again from 0), or when the receiver closes.
//   - q is the channel's queue; ring is the same queue when it is bounded
//     and nil otherwise; both are read-only.
//   - Every Send that returns nil has enqueued and then woken the receiver,
//     or handed its value to a parked receive while the queue was empty and
//     open; the call that closes the queue wakes the receiver and room
//     after it.
//   - Each call that takes the wait (moves waiting from recvLooking or
//     recvParked to recvIdle) sends one handoff on hand, and only one that
//     took recvParked may send a value; the receiver receives one handoff
//     per take before it announces a wait again, so hand holds at most one
//     and never blocks a send.
//   - A Send blocked for room has prepared on room before its last look at
//     the queue and at its handle's closed flag, so every dequeue, handle
//     Close and queue close after that look wakes it.
//   - Receiver.reg.busy is 1 exactly while a receive waits, or a Ready,
//     Register or Unregister registers on the sink (see Receiver.enter):
//     the wait word and the sink have one registrant at a time, and a
//     receive that waits has withdrawn what was armed on the sink.
//     Receives that overlap outside a wait are caught by the queue itself:
//     of two that dequeue the same position, one gets mpscq.Conflict and
//     panics, after withdrawing its wait if it had announced one.
//   - done is nil until the first Sender.Done, then the channel Done made,
//     then, from the close on, &closedChan; only close moves it to
//     &closedChan, with one Swap, and closes what it swapped out (see
//     select.go).

// ErrClosed is returned by a send on a closed Sender or a closed channel,
// and by a receive once the channel is closed and every value sent before the
// close has been received.
var ErrClosed = errors.New("mpsc: channel closed")

// ErrFull is returned by TrySend when a bounded channel holds Cap values.
var ErrFull = errors.New("mpsc: channel full")

// ErrEmpty is returned by TryRecv and TryRecvBatch when no value is waiting.
var ErrEmpty = errors.New("mpsc: channel empty")

// The panics of misuse (see Misuse in the package documentation). Each is
// raised before the call touches the channel, so a program that recovers
// from it finds the channel as it was.
const (
	panicNilContext     = "mpsc: nil Context"
	panicZeroSender     = "mpsc: use of a zero Sender: make channels with New or NewUnbounded"
	panicZeroReceiver   = "mpsc: use of a zero Receiver: make channels with New or NewUnbounded"
	panicConcurrentRecv = "mpsc: concurrent receive: a Receiver's receive methods must be called from one goroutine at a time"
)

// checkContext panics if ctx is nil, which would otherwise fail only once a
// wait began, deep inside it.
func checkContext(ctx context.Context) {
	if ctx == nil {
		panic(panicNilContext)
	}
}

// noCopy makes go vet's copylocks check report a copy of the struct that
// holds it: a copied Receiver would receive into the original's fields.
type noCopy struct{}

func (*noCopy) Lock()   {}
func (*noCopy) Unlock() {}

// queue is what a channel needs of its lock-free queue, mpscq.Ring or
// mpscq.List. One interface call per operation instead of a
// branch on the queue's kind: BenchmarkBounded and BenchmarkUnbounded
// measure its cost.
type queue[T any] interface {
	TryEnqueue(v T) mpscq.Status
	// TryEnqueueBatched is TryEnqueue for Send, which can wait: on a ring
	// it may report Full while a few slots are free (see
	// mpscq.Ring.TryEnqueueBatched).
	TryEnqueueBatched(v T) mpscq.Status
	TryDequeue() (T, mpscq.Status)
	Poll() (T, mpscq.Status)
	DequeueBatch(buf []T) (int, mpscq.Status)
	PollBatch(buf []T) (int, mpscq.Status)
	Close() bool
	Closed() bool
	Len() int
	Cap() int
}

// channel is the state shared by every handle on one channel.
type channel[T any] struct {
	// Read by every send and receive; written only by New, Clone, Close
	// and the first Done.
	q        queue[T]
	ring     *mpscq.Ring[T]                // q when bounded, for the senders waiting for room; nil when unbounded
	wakeRecv waker.WakeSource              // the receiver's sink, for Ready and Register (see select.go)
	hand     chan handoff[T]               // capacity 1: what the call that took the receiver's wait sends it
	senders  atomic.Int64                  // open Sender handles
	done     atomic.Pointer[chan struct{}] // Sender.Done's channel, made on first use (see select.go)

	// Written each time the receiver waits, and by the send that takes
	// the wait; on a line of its own, so that a receiver that waits
	// between bursts does not make every send miss on the fields above
	// (BenchmarkBounded and BenchmarkUnbounded measure it).
	_       [cacheLine]byte
	waiting atomic.Uint32 // the receiver's wait: recvIdle, recvLooking or recvParked
	_       [cacheLine - 4]byte

	room eventcount.EventCount // senders waiting for room in ring
}

// cacheLine is the padding unit around channel.waiting (see mpscq's
// cacheLine for the choice of 64).
const cacheLine = 64

// The receiver's wait word, channel.waiting (see wait).
const (
	recvIdle    uint32 = iota // not waiting, or a send or the close took the wait
	recvLooking               // announced a wait, and looking at the queue once more
	recvParked                // blocked on hand: a send may hand it its value
)

// handoff is what the call that took the receiver's wait sends on hand:
// the sender's value, handed to a parked receiver of an empty queue, or a
// token that tells the receiver to look at the queue.
type handoff[T any] struct {
	v      T
	handed bool // v is a value: the receiver returns it
}

// New returns the two ends of a channel that buffers up to capacity values.
// It panics if capacity < 1 (an unbuffered rendezvous is what chan is for),
// and with an "mpsc:" message naming the limit if capacity is larger than a
// ring can index.
func New[T any](capacity int) (*Sender[T], *Receiver[T]) {
	if capacity < 1 {
		panic("mpsc: New called with capacity < 1")
	}
	ring := mpscq.NewRing[T](capacity)
	return newChannel(&channel[T]{q: ring, ring: ring})
}

// NewUnbounded returns the two ends of a channel that buffers any number of
// values: Send never blocks. Memory grows with the backlog, in segments of
// about mpscq.SegmentBytes that are recycled once read.
func NewUnbounded[T any]() (*Sender[T], *Receiver[T]) {
	return newChannel(&channel[T]{q: mpscq.NewList[T]()})
}

func newChannel[T any](c *channel[T]) (*Sender[T], *Receiver[T]) {
	sink := waker.NewWakeSink()
	c.wakeRecv = sink.Source()
	c.hand = make(chan handoff[T], 1)
	c.senders.Store(1)
	return &Sender[T]{c: c}, &Receiver[T]{c: c, sink: sink}
}

// freed tells senders waiting for room that n values left the queue, one
// atomic load while none waits (always, for an unbounded queue, which has
// room for every sender). A seq-cst load after the dequeue's release of
// its slots: a sender that prepared later sees the room when it looks again;
// one that prepared earlier is counted here and woken.
func (c *channel[T]) freed(n int) { c.room.NotifyN(n) }

// close closes the queue, and wakes the receiver and every waiting sender if
// this call did it.
func (c *channel[T]) close() {
	if c.q.Close() {
		// After the closed bit: a woken receiver or sender sees it, and
		// so does a producer that Done's channel wakes.
		c.wake()
		c.room.NotifyAll()
		c.closeDone()
	}
}

// send is one try of every send: it hands v to the receiver if the
// receiver is parked and the queue empty and open, and otherwise enqueues v
// (with TryEnqueueBatched if batched) and, on success, wakes the receiver.
// Its status is the enqueue's, or OK for a hand-off.
//
// The common case, a receiver that is not parked, costs one atomic load
// before the enqueue and two after it (wake).
func (c *channel[T]) send(v T, batched bool) mpscq.Status {
	if c.waiting.Load() == recvParked && c.waiting.CompareAndSwap(recvParked, recvIdle) {
		return c.sendTaken(v, batched)
	}
	// Not parked, or another send or the close took the wait first, or
	// the receiver withdrew it.
	st := c.enqueue(v, batched)
	if st == mpscq.OK {
		c.wake() // after the publication, which the receiver's look then sees
	}
	return st
}

// sendTaken is send once its CAS took the receiver's parked wait: it owes
// the receiver one handoff, its value if the queue is empty and open, and
// otherwise a token after its enqueue, whatever the enqueue's status. The
// value is handed only into an empty queue, Len counting positions claimed
// but not yet written: a value handed while one that a completed send
// enqueued is waiting would jump it, and per-sender FIFO would be lost.
// And only into an open one, so that a send that starts after a Close has
// returned reports ErrClosed, even while the close has not yet woken the
// receiver.
func (c *channel[T]) sendTaken(v T, batched bool) mpscq.Status {
	if c.q.Len() == 0 && !c.q.Closed() {
		c.hand <- handoff[T]{v: v, handed: true}
		return mpscq.OK
	}
	st := c.enqueue(v, batched)
	c.hand <- handoff[T]{} // the wait is taken: nothing of Ready's is armed on the sink
	return st
}

// enqueue is the queue's TryEnqueueBatched if batched, and its TryEnqueue
// otherwise.
func (c *channel[T]) enqueue(v T, batched bool) mpscq.Status {
	if batched {
		return c.q.TryEnqueueBatched(v)
	}
	return c.q.TryEnqueue(v)
}

// wake tells the receiver that the queue changed (a value enqueued, or the
// closed bit set): it wakes what Ready or Register armed on the sink, and
// takes the receiver's wait if it announced one, sending it a token. While
// the receiver neither selects nor waits, two atomic loads. (Send writes it
// out: see there.)
func (c *channel[T]) wake() {
	c.wakeRecv.Wake()
	if c.waiting.Load() != recvIdle {
		c.takeWait()
	}
}

// takeWait is wake's outlined slow path: it takes the wait the receiver
// announced, unless another call took it first, and sends it a token.
func (c *channel[T]) takeWait() {
	if c.waiting.Swap(recvIdle) != recvIdle {
		// This call took the wait: the only send on hand until the
		// receiver waits again, so it does not block.
		c.hand <- handoff[T]{}
	}
}

// A Sender is one handle on the sending end of a channel. Any number of
// goroutines may use one Sender concurrently, and Clone makes more; the
// channel closes once every handle is closed.
type Sender[T any] struct {
	c      *channel[T]
	closed atomic.Bool // this handle is closed
}

// Send appends v to the channel, waiting while a bounded channel is full.
//
// It returns nil once v is in the channel: v will be received unless the
// receiver stops receiving. It returns ErrClosed if this handle or the
// channel is closed, before or during the wait, and ctx.Err() if ctx ends
// during the wait; in both cases v was not enqueued. A Send that finds room
// succeeds even if ctx is already done.
//
// A Send that finds a bounded channel full yields its processor while the
// receiver keeps releasing room, a bounded number of times without
// progress, before it parks.
//
// It panics if ctx is nil or s is a zero Sender, before it touches the
// channel.
func (s *Sender[T]) Send(ctx context.Context, v T) error {
	checkContext(ctx)
	c := s.channel()
	if s.closed.Load() {
		return ErrClosed
	}
	var st mpscq.Status
	if c.waiting.Load() != recvParked {
		// The common case, send without a receiver to hand v to, written
		// out with wake so that the enqueue is its only call outside the
		// rare wake-up: each call a value goes through costs it a frame
		// and the registers it spills, which BenchmarkBounded at -cpu 1,
		// where no cache line moves between processors, measures.
		if st = c.q.TryEnqueueBatched(v); st == mpscq.OK {
			c.wakeRecv.Wake()
			if c.waiting.Load() != recvIdle {
				c.takeWait()
			}
			return nil
		}
	} else {
		st = c.send(v, true)
	}
	switch st {
	case mpscq.OK:
		return nil
	case mpscq.Closed:
		return ErrClosed
	}
	return s.sendSlow(ctx, v)
}

// Outlined slow path of Send, for a full ring: wait on room until v fits,
// first by yielding (spin), then parked on room.
func (s *Sender[T]) sendSlow(ctx context.Context, v T) error {
	if settled, err := s.spin(ctx.Done(), v); settled {
		return err
	}
	c := s.c
	for {
		t := c.room.Prepare()
		// Look again after Prepare (seq-cst): a dequeue, Close or
		// handle Close either happened before this look, which sees
		// it, or after the Prepare, and its notification wakes Commit.
		st := mpscq.Closed
		if !s.closed.Load() {
			st = c.send(v, false)
		}
		if st != mpscq.Full {
			c.room.Cancel(t)
			if st == mpscq.Closed {
				return ErrClosed
			}
			return nil
		}
		if err := c.room.Commit(ctx, t); err != nil {
			return err // Commit passes on a wake it absorbed
		}
	}
}

// spin yields the P and tries v again for as long as the receiver releases
// slots between two tries (spin.Idle), and reports whether that settled the
// send, and how. A parked sender costs the receiver a wake (a lock and a
// ready) per value; a sender that yields costs it nothing. Its tries wait
// for a batch of free slots (TryEnqueueBatched); the look again after
// Prepare in sendSlow takes any free slot, so a Send never parks while there
// is room. Once the receiver stops releasing room (it is idle, or not
// running), or done is closed, spin gives up and the sender parks, so a
// sender blocked on an idle receiver uses no CPU.
func (s *Sender[T]) spin(done <-chan struct{}, v T) (bool, error) {
	c := s.c
	var idle spin.Idle
	idle.Start(c.ring.Released())
	for idle.Yield(c.ring.Released()) {
		select {
		case <-done:
			return false, nil // the wait on room reports it
		default:
		}
		if s.closed.Load() {
			return true, ErrClosed
		}
		switch c.send(v, true) {
		case mpscq.OK:
			return true, nil
		case mpscq.Closed:
			return true, ErrClosed
		}
	}
	return false, nil
}

// TrySend appends v to the channel if that needs no waiting. It returns
// ErrFull if a bounded channel holds Cap values and ErrClosed if this handle
// or the channel is closed; in both cases v was not enqueued. It never
// reports ErrFull merely because other senders were sending at the same
// time. It panics on a zero Sender.
func (s *Sender[T]) TrySend(v T) error {
	c := s.channel()
	if s.closed.Load() {
		return ErrClosed
	}
	switch c.send(v, false) {
	case mpscq.OK:
		return nil
	case mpscq.Full:
		return ErrFull
	}
	return ErrClosed
}

// Clone returns a new open handle on the same channel, which stays open
// until every handle, this one and the clone included, is closed. Cloning a
// closed handle, or a handle of a channel whose senders have all closed,
// returns a closed handle. It panics on a zero Sender.
func (s *Sender[T]) Clone() *Sender[T] {
	c := s.channel()
	n := &Sender[T]{c: c}
	if s.closed.Load() || !c.addSender() {
		n.closed.Store(true)
	}
	return n
}

// addSender counts one more open handle unless the count already reached 0.
func (c *channel[T]) addSender() bool {
	for n := c.senders.Load(); n > 0; n = c.senders.Load() {
		if c.senders.CompareAndSwap(n, n+1) {
			return true
		}
	}
	return false
}

// Close closes this handle: its later sends, and sends blocked on it, return
// ErrClosed. Closing the last open handle closes the channel: the receiver
// receives every value sent before, then ErrClosed. Close is idempotent and
// may be called from any goroutine. It panics on a zero Sender.
func (s *Sender[T]) Close() {
	c := s.channel()
	if !s.closed.CompareAndSwap(false, true) {
		return
	}
	if c.senders.Add(-1) == 0 {
		c.close()
		return
	}
	// Sends blocked on this handle look at its closed flag again.
	c.room.NotifyAll()
}

// channel returns s's channel; it panics on a zero Sender, which has none.
func (s *Sender[T]) channel() *channel[T] {
	if s.c == nil {
		panic(panicZeroSender)
	}
	return s.c
}

// A Receiver is the receiving end of a channel. Its receive methods (Recv,
// TryRecv, RecvBatch, TryRecvBatch, the iterator of All, and Ready,
// Register and Unregister) must be called from one goroutine at a time: a
// receive that overlaps another panics (see Misuse in the package
// documentation). Close, Len and Cap may be
// called from any goroutine, at any time. A Receiver must not be copied.
type Receiver[T any] struct {
	_    noCopy
	c    *channel[T]
	sink *waker.WakeSink
	// The guard of waits and of registrations on the sink, and Ready's
	// waker (see select.go). On the Receiver's own lines, which only the
	// receiving goroutine writes.
	reg    registrant
	bet    spin.Bet    // whether a wait yields before it parks
	streak spin.Streak // values taken since the last wait
	pace   spin.Pace   // RecvBatch's spacing of its reads (see spin.Pace)
}

// settled reports whether a dequeue's status settles a receive: a value,
// the end of the channel, or a Conflict (another receive took the same
// position: a misuse, which result reports by panicking once the receive
// has withdrawn any wait it announced). For an exact look (TryRecv), Empty
// settles it too; only Busy, a send between its claim and its write, is
// waited out.
func settled(st mpscq.Status, exact bool) bool {
	switch st {
	case mpscq.OK, mpscq.Closed, mpscq.Conflict:
		return true
	case mpscq.Empty:
		return exact
	}
	return false
}

// enter starts a wait, or a registration on the sink; exit ends it. enter
// panics, before the call touches the channel, if another receive on r is
// waiting or registering. The CAS makes
// the check exact: of two waits that overlap, the one that starts second
// panics, and the one in progress goes on undisturbed. It costs one atomic
// RMW per wait, not per value: a receive that finds a value never waits.
func (r *Receiver[T]) enter() { r.reg.enter(panicConcurrentRecv) }

func (r *Receiver[T]) exit() { r.reg.exit() }

// wait is the slow path of every receive, after a look that did not settle
// it. It calls poll, which dequeues into its caller's variables and returns
// the status, until the status settles the receive, a send hands the
// receiver its value (h.handed: the caller takes h.v), or ctx ends, and
// returns the last status. exact is passed to poll: false while waiting
// (Poll and PollBatch need neither Busy told from Empty nor the producers'
// claim word read), true for TryRecv, whose only wait is for a send caught
// between its claim and its write.
//
// If ctx ends, one last exact look decides: a value found then is returned
// (nil error), and ctx.Err() only if the channel is empty and open, so that
// a cancelled receive is one that found nothing. That look waits out a
// Busy send with no deadline: the send's wake comes right after its write,
// a few instructions away.
//
// A wait first withdraws what Ready or Register armed on the sink (see
// select.go), and may yield once before it parks (spin.Bet).
func (r *Receiver[T]) wait(ctx context.Context, exact bool, poll func(exact bool) mpscq.Status) (h handoff[T], st mpscq.Status, err error) {
	r.enter()
	defer r.exit()
	r.reg.disarm(r.sink)
	if r.bet.Yield(func() bool { st = poll(exact); return settled(st, exact) }) {
		return h, st, nil
	}
	if h, st = r.park(ctx.Done(), exact, poll); st != waitCancelled {
		return h, st, nil
	}
	if h, st = r.park(nil, true, poll); h.handed || st != mpscq.Empty {
		return h, st, nil
	}
	return h, st, ctx.Err()
}

// waitCancelled is park's status when done closed: it took nothing.
const waitCancelled = mpscq.Status(255)

// park is wait's loop on the channel's wait word (the receiver's side of
// the handshake whose senders' side is send and wake):
//
//	announce  waiting = recvLooking (a seq-cst store), then poll again:
//	          a send that enqueued before the store is seen by this
//	          poll, and one after it sees the store (wake) and takes
//	          the wait
//	found     waiting recvLooking -> recvIdle; if the CAS fails, a send
//	          or the close took the wait and sends a token: take it
//	park      waiting recvLooking -> recvParked, then receive on hand; if
//	          the CAS fails, take the token as above and look again
//	withdraw  when done closes: waiting recvParked -> recvIdle; if the
//	          CAS fails, the handoff of the call that took the wait is
//	          on its way: take it (a handed value wins over done)
//
// Every call that takes the wait (a CAS or Swap away from recvLooking or
// recvParked) sends exactly one handoff, and the receiver receives exactly
// one for each take, before it announces a wait again: hand, of capacity
// 1, is empty whenever a send takes the wait, and never blocks one. Only a
// parked wait is handed a value: one that is still looking may find the
// queue's values first, and then receives a token.
//
// park returns a handed value, a status that settles the receive, or
// waitCancelled once done is closed (nil: never).
func (r *Receiver[T]) park(done <-chan struct{}, exact bool, poll func(exact bool) mpscq.Status) (handoff[T], mpscq.Status) {
	c := r.c
	for {
		c.waiting.Store(recvLooking)
		// A Conflict settles the wait too: it is withdrawn here like any
		// other, so that a program that recovers from result's panic finds
		// no wait announced and no handoff left on hand.
		if st := poll(exact); settled(st, exact) {
			c.endLook()
			return handoff[T]{}, st
		}
		if !c.waiting.CompareAndSwap(recvLooking, recvParked) {
			<-c.hand // a token
		} else if h, ok := r.block(done); !ok {
			return h, waitCancelled
		} else if h.handed {
			return h, mpscq.OK
		}
		if st := poll(exact); settled(st, exact) {
			return handoff[T]{}, st
		}
	}
}

// endLook ends a wait announced but not parked: waiting recvLooking ->
// recvIdle, or, if a send or the close took the wait first, its token.
func (c *channel[T]) endLook() {
	if !c.waiting.CompareAndSwap(recvLooking, recvIdle) {
		<-c.hand // a token: only a parked wait is handed a value
	}
}

// block receives the handoff of the call that takes the receiver's parked
// wait, and reports true. Once done is closed, it withdraws the wait and
// reports false; if a call took the wait first, it receives that call's
// handoff and reports whether it is a value (after a token, the wait ends
// as cancelled, and wait's exact look finds what the token was for).
func (r *Receiver[T]) block(done <-chan struct{}) (handoff[T], bool) {
	c := r.c
	if done == nil {
		return <-c.hand, true
	}
	select {
	case h := <-c.hand:
		return h, true
	case <-done:
	}
	hook(hookRecvCancelled)
	if c.waiting.CompareAndSwap(recvParked, recvIdle) {
		return handoff[T]{}, false
	}
	h := <-c.hand
	return h, h.handed
}

// streamed is the waiting policy of a Ready that found nothing, before it
// arms the sink: if the receiver of a bounded channel took more than one
// value since its last wait (spin.Streak), its senders are streaming and a
// value is likely a yield away, so it yields up to spin.StreamYields times,
// calling ready after each yield, and reports whether ready reported true.
// A receiver that took one value per wait, which is what a channel idle
// between values gives, does not yield. Nor does the receiver of an
// unbounded channel: its senders never wait, so a receiver that yields
// waits behind every one of them that is ready to run, while the queue
// grows; parked, it is woken onto a sender's processor. A blocking receive
// does not call it either: there the yields put the receiver behind
// senders that have room (BenchmarkBounded with 16 senders measures it),
// and its wait decides alone (spin.Bet, Receiver.bet).
func (r *Receiver[T]) streamed(ready func() bool) bool {
	if r.c.ring == nil || !r.streak.Streaming() {
		return false
	}
	for range spin.StreamYields {
		spin.Yield()
		if ready() {
			return true
		}
	}
	return false
}

// handed reports whether a wait was handed its value (h.v) by a send, and
// counts it as taken. The value never took room in the queue: unlike
// result, nothing is freed for the senders.
func (r *Receiver[T]) handed(h handoff[T]) bool {
	if h.handed {
		r.streak.Took(1)
	}
	return h.handed
}

// result maps a dequeue's status to a receive's error, telling senders
// about the room on success. It panics on a Conflict: another receive on
// r dequeued the same position.
func (r *Receiver[T]) result(n int, st mpscq.Status) error {
	switch st {
	case mpscq.OK:
		r.streak.Took(n)
		r.c.freed(n)
		return nil
	case mpscq.Closed:
		return ErrClosed
	case mpscq.Conflict:
		panic(panicConcurrentRecv)
	}
	return ErrEmpty
}

// dequeue is the queue's TryDequeue when exact, and its Poll otherwise.
func (c *channel[T]) dequeue(exact bool) (T, mpscq.Status) {
	if exact {
		return c.q.TryDequeue()
	}
	return c.q.Poll()
}

// dequeueBatch is the queue's DequeueBatch when exact, and its PollBatch
// otherwise.
func (c *channel[T]) dequeueBatch(buf []T, exact bool) (int, mpscq.Status) {
	if exact {
		return c.q.DequeueBatch(buf)
	}
	return c.q.PollBatch(buf)
}

// Recv removes and returns the oldest value, waiting until there is one.
//
// It returns ErrClosed once the channel is closed and every value sent
// before the close has been received, and ctx.Err() if ctx ends while the
// channel is empty, in which case nothing was removed. A value already
// waiting is returned even if ctx is done. A Recv that finds the channel
// empty may yield its processor once before it parks (see Blocking in the
// package documentation).
//
// It panics if ctx is nil or r is a zero Receiver, before it touches the
// channel, and if another receive on r overlaps it.
func (r *Receiver[T]) Recv(ctx context.Context) (T, error) {
	checkContext(ctx)
	c := r.channel()
	v, st := c.q.Poll()
	if st != mpscq.OK {
		return r.recvSlow(ctx, false, st)
	}
	// The common case, result's written out so that the dequeue is its
	// only call but in the rare wake of a sender (see Send).
	r.streak.Took(1)
	c.freed(1)
	return v, nil
}

// recvSlow is the outlined slow path of Recv (exact false) and TryRecv
// (exact true, ctx that never ends), after a dequeue that found no value
// and reported st.
func (r *Receiver[T]) recvSlow(ctx context.Context, exact bool, st mpscq.Status) (v T, err error) {
	if !settled(st, exact) {
		c := r.c
		h, wst, err := r.wait(ctx, exact, func(exact bool) mpscq.Status {
			v, st = c.dequeue(exact)
			return st
		})
		if r.handed(h) {
			return h.v, nil
		}
		if err != nil {
			return v, err
		}
		st = wst
	}
	return v, r.result(1, st)
}

// TryRecv removes and returns the oldest value if there is one. It returns
// ErrEmpty if there is none and ErrClosed once the channel is closed and
// drained. It does not wait for values, but it does wait for a send that has
// claimed the next position to finish writing it (a few instructions), so
// that it never reports ErrEmpty while an earlier completed send's value is
// in the channel. It panics as Recv does.
func (r *Receiver[T]) TryRecv() (T, error) {
	c := r.channel()
	v, st := c.q.TryDequeue()
	if st != mpscq.OK {
		return r.recvSlow(context.Background(), true, st)
	}
	r.streak.Took(1) // as in Recv
	c.freed(1)
	return v, nil
}

// RecvBatch waits until at least one value is in the channel, then moves as
// many of the oldest values as fit into buf, in order, and returns how many.
// Its errors and panics are those of Recv. With an empty buf it returns 0
// and nil at once.
//
// It costs the receiver less per value than Recv: one call returns many
// values, and a bounded channel releases the whole batch's room with one
// atomic operation. When the receiver keeps up, the senders set the pace
// either way.
//
// A RecvBatch that follows one which returned at once two values or more,
// but fewer than its buf held, reads the channel no sooner than a
// microsecond after that one read it, waiting without yielding its
// processor: a receiver at its senders' heels would otherwise read each
// value as soon as it is written, and move the memory that holds it
// between processors once per value rather than once per cache line. On a
// bounded channel the wait ends early once the last value of a full buf
// (of half the capacity, if buf is larger) is written, or once a sender
// waits for room; on an unbounded one, whose senders never wait, it does
// not. It also ends early if the clock does not move while it waits. A
// caller that takes a microsecond or more to handle a batch, or that
// receives one value per call, never waits.
func (r *Receiver[T]) RecvBatch(ctx context.Context, buf []T) (int, error) {
	checkContext(ctx)
	c := r.channel()
	if len(buf) == 0 {
		return 0, nil
	}
	r.pace.Wait(func() bool { return c.batchReady(len(buf)) })
	n, st := c.q.PollBatch(buf)
	if st != mpscq.OK {
		return r.recvBatchSlow(ctx, buf, false, st)
	}
	if n >= spin.StreamMin && n < len(buf) {
		// Values streamed in while the caller handled its last batch,
		// fewer than buf holds: the receiver is at its senders' heels.
		// One value is a request, whose reply must not wait.
		r.pace.Arm()
	}
	r.streak.Took(n) // as in Recv
	c.freed(n)
	return n, nil
}

// recvBatchSlow is the outlined slow path of RecvBatch (exact false) and
// TryRecvBatch (exact true, ctx that never ends), as recvSlow is Recv's.
func (r *Receiver[T]) recvBatchSlow(ctx context.Context, buf []T, exact bool, st mpscq.Status) (n int, err error) {
	if !settled(st, exact) {
		c := r.c
		h, wst, err := r.wait(ctx, exact, func(exact bool) mpscq.Status {
			n, st = c.dequeueBatch(buf, exact)
			return st
		})
		if r.handed(h) {
			buf[0] = h.v
			return 1, nil
		}
		if err != nil {
			return 0, err
		}
		st = wst
	}
	return n, r.result(n, st)
}

// batchReady ends the pace of a RecvBatch into a buf of n values
// (spin.Pace): the pace has nothing more to gain once the last of n values
// is written (see mpscq.Ring.Holds), or once the ring is full enough that
// a sender waits for room, which it must not keep waiting. Three loads:
// tail, which only the receiver writes; the slot of the batch's last
// value, which the senders write only when they reach it; and room's
// word, which they write only to wait. For an unbounded channel, none: its
// senders never wait.
func (c *channel[T]) batchReady(n int) bool {
	return c.ring != nil && (c.ring.Holds(n) || c.room.Waiters() > 0)
}

// TryRecvBatch is the non-blocking twin of RecvBatch: it moves as many of
// the oldest values as are in the channel and fit into buf, in order, and
// returns how many. It returns 0 and ErrEmpty if there is none, and 0 and
// ErrClosed once the channel is closed and drained. Like TryRecv, it waits
// for no value, only for a send that has claimed the next position to
// finish writing it. With an empty buf it returns 0 and nil at once. It
// panics as Recv does.
func (r *Receiver[T]) TryRecvBatch(buf []T) (int, error) {
	c := r.channel()
	if len(buf) == 0 {
		return 0, nil
	}
	n, st := c.q.DequeueBatch(buf)
	if st != mpscq.OK {
		return r.recvBatchSlow(context.Background(), buf, true, st)
	}
	r.streak.Took(n) // as in Recv
	c.freed(n)
	return n, nil
}

// All returns an iterator over the values received with Recv until the
// channel is closed and drained or ctx ends; check ctx.Err() afterwards to
// tell the two apart. Breaking out of the loop receives nothing more. Each
// step is a Recv, with its panics; All itself panics at once if ctx is nil
// or r is a zero Receiver.
func (r *Receiver[T]) All(ctx context.Context) iter.Seq[T] {
	checkContext(ctx)
	r.channel()
	return func(yield func(T) bool) {
		for {
			v, err := r.Recv(ctx)
			if err != nil || !yield(v) {
				return
			}
		}
	}
}

// Len returns the number of values in the channel, counting sends that have
// claimed a position and are finishing writing it, but not a value handed
// to a receive that was waiting (as len does not count, on a chan, the
// value of a send that found a receiver waiting). Any goroutine may call
// it at any time, concurrently with sends and receives (a metrics
// goroutine, say, as len is used on a chan); the count may be stale by the
// time it is returned.
func (r *Receiver[T]) Len() int { return r.channel().q.Len() }

// Cap returns the capacity passed to New, exactly (it is not rounded up),
// or -1 for an unbounded channel. Any goroutine may call it at any time.
func (r *Receiver[T]) Cap() int { return r.channel().q.Cap() }

// Close closes the channel from the receiving end: every send, blocked or
// later, on any handle, returns ErrClosed. Values already in the channel can
// still be received; then Recv returns ErrClosed. Close is idempotent and
// may be called from any goroutine, including while another goroutine is in
// Recv, which it wakes. It panics on a zero Receiver.
func (r *Receiver[T]) Close() { r.channel().close() }

// channel returns r's channel; it panics on a zero Receiver, which has none.
func (r *Receiver[T]) channel() *channel[T] {
	if r.c == nil {
		panic(panicZeroReceiver)
	}
	return r.c
}
