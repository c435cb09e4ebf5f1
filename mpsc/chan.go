package mpsc

import (
	"context"
	"errors"
	"iter"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/diatomic-go/diatomic/eventcount"
	"github.com/diatomic-go/diatomic/internal/mpscq"
	"github.com/diatomic-go/diatomic/waker"
)

// The channel: a lock-free queue (mpscq.Ring or mpscq.List) made awaitable.
// The receiver waits on a waker.WakeSink whose predicate polls the queue;
// every successful enqueue notifies it, which costs one atomic load while the
// receiver is not waiting. Senders waiting for room in a bounded queue wait
// on an eventcount.EventCount; every dequeue notifies it, again one atomic
// load while nobody waits.
//
// Closing is the queue's closed bit (see package mpscq): a send either
// claimed a position before the bit was set, and its value will be read
// before the receiver sees "closed", or it fails. No count of sends in
// flight is kept, so the hot path has no extra atomic RMW.
//
// Invariants:
//   - senders counts the open Sender handles; the queue is closed once it
//     drops to 0 (it never rises again from 0), or when the receiver closes.
//   - Exactly one of ring and list is non-nil; both are read-only.
//   - Every Send that returns nil has enqueued and then notified wakeRecv;
//     the call that closes the queue notifies wakeRecv and room after it.
//   - A Send blocked for room has prepared on room before its last look at
//     the queue and at its handle's closed flag, so every dequeue, handle
//     Close and queue close after that look wakes it.
//   - Receiver.busy is 1 exactly while a receive method runs (see
//     Receiver.enter): no two receives touch the queue or the sink at once.

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

// channel is the state shared by every handle on one channel.
type channel[T any] struct {
	ring     *mpscq.Ring[T] // bounded, or nil
	list     *mpscq.List[T] // unbounded, or nil
	wakeRecv waker.WakeSource
	room     eventcount.EventCount // senders waiting for room in ring
	senders  atomic.Int64          // open Sender handles
}

// New returns the two ends of a channel that buffers up to capacity values.
// It panics if capacity < 1 (an unbuffered rendezvous is what chan is for),
// and with an "mpsc:" message naming the limit if capacity is larger than a
// ring can index.
func New[T any](capacity int) (*Sender[T], *Receiver[T]) {
	if capacity < 1 {
		panic("mpsc: New called with capacity < 1")
	}
	return newChannel(&channel[T]{ring: mpscq.NewRing[T](capacity)})
}

// NewUnbounded returns the two ends of a channel that buffers any number of
// values: Send never blocks. Memory grows with the backlog, in segments that
// are recycled once read.
func NewUnbounded[T any]() (*Sender[T], *Receiver[T]) {
	return newChannel(&channel[T]{list: mpscq.NewList[T]()})
}

func newChannel[T any](c *channel[T]) (*Sender[T], *Receiver[T]) {
	sink := waker.NewWakeSink()
	c.wakeRecv = sink.Source()
	c.senders.Store(1)
	r := &Receiver[T]{c: c, sink: sink, pause: paceMinSpins, target: paceTarget}
	if c.ring != nil {
		r.target = min(paceTarget, c.ring.Cap()/4)
	}
	if r.target < paceMinTarget {
		r.pause = 0 // never pace
	}
	r.ready = r.poll // bound once, so that waiting allocates nothing
	return &Sender[T]{c: c}, r
}

func (c *channel[T]) tryEnqueue(v T) mpscq.Status {
	if c.ring != nil {
		return c.ring.TryEnqueue(v)
	}
	return c.list.TryEnqueue(v)
}

// tryEnqueueBatched is tryEnqueue for Send, which can wait: on a ring it
// may report Full while a few slots are free (see mpscq.Ring.TryEnqueueBatched).
func (c *channel[T]) tryEnqueueBatched(v T) mpscq.Status {
	if c.ring != nil {
		return c.ring.TryEnqueueBatched(v)
	}
	return c.list.TryEnqueue(v)
}

// tryDequeue is the queue's TryDequeue when exact, and its Poll otherwise:
// a receive that will wait when it gets nothing needs neither Busy told
// from Empty nor the producers' claim word read (see mpscq.Ring.Poll).
func (c *channel[T]) tryDequeue(exact bool) (T, mpscq.Status) {
	if c.ring != nil {
		if exact {
			return c.ring.TryDequeue()
		}
		return c.ring.Poll()
	}
	if exact {
		return c.list.TryDequeue()
	}
	return c.list.Poll()
}

// dequeueBatch is the queue's DequeueBatch when exact, and its PollBatch
// otherwise.
func (c *channel[T]) dequeueBatch(buf []T, exact bool) (int, mpscq.Status) {
	if c.ring != nil {
		if exact {
			return c.ring.DequeueBatch(buf)
		}
		return c.ring.PollBatch(buf)
	}
	if exact {
		return c.list.DequeueBatch(buf)
	}
	return c.list.PollBatch(buf)
}

// freed tells senders waiting for room that n values left the queue, and
// reports whether any was waiting.
func (c *channel[T]) freed(n int) bool {
	if c.ring == nil {
		return false // an unbounded queue has room for every sender
	}
	// Seq-cst loads after the dequeue's tail store: a sender that prepared
	// later sees the room when it looks again; one that prepared earlier is
	// counted here and woken.
	woke := false
	for ; n > 0 && c.room.Waiters() > 0; n-- {
		c.room.NotifyOne()
		woke = true
	}
	return woke
}

// close closes the queue, and wakes the receiver and every waiting sender if
// this call did it.
func (c *channel[T]) close() {
	var first bool
	if c.ring != nil {
		first = c.ring.Close()
	} else {
		first = c.list.Close()
	}
	if first {
		// After the closed bit: a woken receiver or sender sees it.
		c.wakeRecv.Notify()
		c.room.NotifyAll()
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
// A send that collides with another sender (both tried to claim one slot, or
// went past the end of the same segment of an unbounded channel) may spin
// briefly, for a bounded pause (internal/mpscq.Pause), at most once per
// segment's worth of values sent on the channel: many senders on several
// cores then run faster, not slower (BenchmarkFill in internal/mpscq). A
// lone sender never collides, so never backs off this way.
//
// It panics if ctx is nil or s is a zero Sender, before it touches the
// channel.
func (s *Sender[T]) Send(ctx context.Context, v T) error {
	checkContext(ctx)
	c := s.channel()
	if s.closed.Load() {
		return ErrClosed
	}
	switch c.tryEnqueueBatched(v) {
	case mpscq.OK:
		c.wakeRecv.Notify() // after the publication, which the receiver's poll then sees
		return nil
	case mpscq.Closed:
		return ErrClosed
	}
	return s.sendSlow(ctx, v)
}

// Outlined slow path of Send: wait on room until v fits, first by yielding
// (spin), then parked on room.
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
			st = c.ring.TryEnqueue(v)
		}
		if st != mpscq.Full {
			c.room.Cancel(t)
			if st == mpscq.Closed {
				return ErrClosed
			}
			c.wakeRecv.Notify()
			return nil
		}
		if err := c.room.Commit(ctx, t); err != nil {
			return err // Commit passes on a wake it absorbed
		}
	}
}

// spin yields the P and tries v again for as long as the receiver releases
// slots between two tries, and reports whether that settled the send, and
// how. A parked sender costs the receiver a wake (a lock and a ready) per
// value, which made a full ring slower than chan with many senders; a
// sender that yields costs it nothing. Its tries wait for a batch of free
// slots (tryEnqueueBatched); the look again after Prepare in sendSlow takes
// any free slot, so a Send never parks while there is room. After
// spinIdle yields in a row during which the receiver released nothing (it
// is idle, or not running), or once done is closed, spin gives up and the
// sender parks, so a sender blocked on an idle receiver uses no CPU.
func (s *Sender[T]) spin(done <-chan struct{}, v T) (bool, error) {
	c := s.c
	last := c.ring.Released()
	idle := 0
	for {
		select {
		case <-done:
			return false, nil // the wait on room reports it
		default:
		}
		runtime.Gosched()
		if s.closed.Load() {
			return true, ErrClosed
		}
		switch c.ring.TryEnqueueBatched(v) {
		case mpscq.OK:
			c.wakeRecv.Notify()
			return true, nil
		case mpscq.Closed:
			return true, ErrClosed
		}
		if t := c.ring.Released(); t != last {
			last, idle = t, 0
		} else if idle++; idle == spinIdle {
			return false, nil
		}
	}
}

// spinIdle is how many yields in a row without progress by the receiver a
// blocked Send spends before it parks. With many senders on few Ps, a
// receiver that yielded waits its turn behind them in the run queues, and
// a single yield often passed without it running: 64 senders then parked
// and were woken one by one. Three yields made BenchmarkRecvBatch with 64
// senders markedly faster; more measured no better.
const spinIdle = 3

// TrySend appends v to the channel if that needs no waiting. It returns
// ErrFull if a bounded channel holds Cap values and ErrClosed if this handle
// or the channel is closed; in both cases v was not enqueued. It never
// reports ErrFull merely because other senders were sending at the same
// time. Like Send, it may spin briefly, for a bounded pause, when it
// collides with another sender. It panics on a zero Sender.
func (s *Sender[T]) TrySend(v T) error {
	c := s.channel()
	if s.closed.Load() {
		return ErrClosed
	}
	switch c.tryEnqueue(v) {
	case mpscq.OK:
		c.wakeRecv.Notify()
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
// TryRecv, RecvBatch, TryRecvBatch, and the iterator of All) must be called
// from one goroutine at a time: a receive that starts while another is in
// progress panics, before it touches the channel. Close, Len and Cap may be
// called from any goroutine, at any time. A Receiver must not be copied.
type Receiver[T any] struct {
	_     noCopy
	c     *channel[T]
	sink  *waker.WakeSink
	ready func() bool // r.poll

	// 1 while a receive runs (see enter). On the Receiver's own lines,
	// which only the receiving goroutine writes.
	busy atomic.Uint32

	// Results of poll, passed from the wait back to the caller.
	try bool         // poll also settles for Empty (TryRecv)
	buf []T          // non-nil: poll dequeues a batch into buf
	v   T            // the value, for a single dequeue
	n   int          // the count, for a batch
	st  mpscq.Status // the status

	// Pacing state (see pace).
	recent  int  // values received since the last wait began
	crowded bool // since then, a receive found senders waiting for room
	paced   bool // the last wait ended in a poll of pace
	pause   int  // spin rounds between the polls of pace
	target  int  // values per wait that pause is adjusted towards
}

// enter starts a receive; exit ends it. enter panics, before the receive
// touches the channel, if r was not made by New or NewUnbounded, or if
// another receive on r is in progress.
//
// The CAS makes the check exact: of two receives that overlap, the one that
// starts second panics, and the one in progress goes on undisturbed (it
// never reads busy again). Calls from one goroutine, or from goroutines that
// synchronize between their calls, always find busy 0. The CAS and the
// Store are on a line that only the receiving goroutine writes, so they cost
// no cache transfer; their cost on the receive paths is measured by
// BenchmarkBounded, BenchmarkRecvBatch and BenchmarkTryRecv.
func (r *Receiver[T]) enter() {
	r.channel()
	if !r.busy.CompareAndSwap(0, 1) {
		panic(panicConcurrentRecv)
	}
}

func (r *Receiver[T]) exit() { r.busy.Store(0) }

// poll is the predicate of the receiver's waits: it dequeues and reports
// whether the outcome settles the call.
func (r *Receiver[T]) poll() bool {
	// Only settle, which waits out a claimed slot, needs Busy.
	if r.buf != nil {
		r.n, r.st = r.c.dequeueBatch(r.buf, r.try)
	} else {
		r.v, r.st = r.c.tryDequeue(r.try)
	}
	return r.st == mpscq.OK || r.st == mpscq.Closed || r.st == mpscq.Empty && r.try
}

// wait parks on the sink until poll settles or ctx ends, and returns the
// status poll left.
//
// If ctx ends, one last look decides: a value found then is returned (nil
// error), and ctx.Err() only if the channel is empty and open, so that a
// cancelled receive is one that found nothing. That look waits out a send
// caught between its claim and its write (Busy), which is a few
// instructions away.
func (r *Receiver[T]) wait(ctx context.Context) (mpscq.Status, error) {
	// Senders were streaming if this receiver took several values since
	// its last wait; then it paces its next polls, unless its channel is
	// too small to pace or the yield below ran other goroutines on this P
	// (see pace).
	pace := r.streaming() && r.pause > 0
	var start time.Time
	if pace {
		start = time.Now()
	}
	// Yield first: senders running on other Ps fill the ring meanwhile,
	// and a receiver that finds values after a yield costs them no wake-up
	// (a lock, a channel send and a goroutine ready), which is most of the
	// cost of a value when the receiver keeps up with them. The sink's Wait
	// then looks (its first check is the look after this yield), yields
	// once more and looks again before it registers: two yields in all,
	// which made BenchmarkBounded with one sender on two Ps markedly
	// faster; more measured no better. A receiver on an idle channel still
	// parks.
	runtime.Gosched()
	if pace && time.Since(start) < paceYield && r.pace() {
		return r.st, nil
	}
	if err := r.sink.Wait(ctx, r.ready); err != nil {
		if st := r.settle(); st == mpscq.Empty {
			return st, err
		}
	}
	return r.st, nil
}

// Pacing: a receiver that took at least paceAfter values since its last
// wait, and whose yield came back within paceYield (no other goroutine was
// ready to run on its P), polls up to paceRounds more times, spinning
// r.pause rounds before each, before it goes on to the sink's Wait. The
// pause adapts (see adapt) between paceMinSpins and paceMaxSpins rounds of
// mpscq.Pause, towards target values per wait: paceTarget, or a quarter of a bounded channel's capacity. A
// channel whose target is below paceMinTarget (a capacity below 128) is
// never paced: its senders could fill it during the shortest pause.
const (
	paceAfter     = 4
	paceYield     = 2 * time.Microsecond
	paceRounds    = 2
	paceMinSpins  = 250
	paceMaxSpins  = 6000
	paceTarget    = 128
	paceMinTarget = 32
)

// streaming reports whether the receiver took at least paceAfter values
// since the last call, and starts counting anew. If the wait before ended
// in a poll of pace, it first adapts the pause to what followed.
func (r *Receiver[T]) streaming() bool {
	if r.paced {
		r.pause = adapt(r.pause, r.recent, r.target, r.crowded)
	}
	s := r.recent >= paceAfter
	r.recent, r.crowded, r.paced = 0, false, false
	return s
}

// adapt returns the pause for the next pace, given the last one and what
// followed the poll it ended in: k values until the next wait, and whether
// senders were waiting for room meanwhile (crowded). A pause that let the
// senders fill a bounded channel and block is halved; one after which the
// receiver took fewer than target values is doubled.
func adapt(pause, k, target int, crowded bool) int {
	switch {
	case crowded:
		return max(pause/2, paceMinSpins)
	case k < target:
		return min(pause*2, paceMaxSpins)
	}
	return pause
}

// pace polls the queue paceRounds times at intervals of r.pause rounds of
// arithmetic, and reports whether a poll settled the receive. It keeps its
// P and touches no memory between polls. It returns false at once with
// GOMAXPROCS 1, where no sender runs while it spins.
//
// A receiver that keeps up with its senders otherwise polls as soon as its
// yield returns, takes the few values written meanwhile, and reads the slot
// the sender is writing each time; each such read takes that cache line
// away from the sender, whose next write must fetch it back. With one
// sender on two Ps, RecvBatch then took only a few values per call
// (BenchmarkRecvBatch reports values/recv). Only a receiver that saw a
// stream paces: in a request-reply exchange it takes one value per wait
// and polls at once, as before (BenchmarkPingPong). The pause adapts
// because no one length fits: with a capacity of 1024 a longer pause was
// faster in the machine's slow stretches, and with a capacity of 16 a
// fixed pause made the receiver much slower (BenchmarkSmall), its senders
// blocked on a full channel while it spun (hence the halving when senders
// wait for room, and no pacing below capacity 128).
func (r *Receiver[T]) pace() bool {
	for range paceRounds {
		if !mpscq.Pause(r.pause) {
			return false
		}
		if r.poll() {
			r.paced = true
			return true
		}
	}
	return false
}

// settle polls until the outcome is anything but Busy, parking on the sink
// if a send has claimed the next position and not yet written it; that
// send's Notify comes right after its write.
func (r *Receiver[T]) settle() mpscq.Status {
	r.try = true
	_ = r.sink.Wait(context.Background(), r.ready) // cannot fail
	r.try = false
	return r.st
}

// take returns the value poll left, clearing the receiver's copy.
func (r *Receiver[T]) take() T {
	v := r.v
	var zero T
	r.v = zero
	return v
}

// result maps a dequeue's status to Recv's error, telling senders about the
// room on success.
func (r *Receiver[T]) result(n int, st mpscq.Status) error {
	switch st {
	case mpscq.OK:
		r.recent += n
		if r.c.freed(n) {
			r.crowded = true
		}
		return nil
	case mpscq.Closed:
		return ErrClosed
	}
	return ErrEmpty
}

// Recv removes and returns the oldest value, waiting until there is one.
//
// It returns ErrClosed once the channel is closed and every value sent
// before the close has been received, and ctx.Err() if ctx ends while the
// channel is empty, in which case nothing was removed. A value already
// waiting is returned even if ctx is done. A Recv that finds the channel
// empty right after a stream of values may spin briefly, for a bounded
// time, before it parks (see Blocking in the package documentation).
//
// It panics if ctx is nil, if r is a zero Receiver, or if another receive
// on r is in progress, before it touches the channel.
func (r *Receiver[T]) Recv(ctx context.Context) (T, error) {
	checkContext(ctx)
	r.enter()
	defer r.exit()
	v, st := r.c.tryDequeue(false)
	if st == mpscq.OK || st == mpscq.Closed {
		return v, r.result(1, st)
	}
	st, err := r.wait(ctx)
	if err != nil {
		return v, err
	}
	return r.take(), r.result(1, st)
}

// TryRecv removes and returns the oldest value if there is one. It returns
// ErrEmpty if there is none and ErrClosed once the channel is closed and
// drained. It does not wait for values, but it does wait for a send that has
// claimed the next position to finish writing it (a few instructions), so
// that it never reports ErrEmpty while an earlier completed send's value is
// in the channel. It panics as Recv does.
func (r *Receiver[T]) TryRecv() (T, error) {
	r.enter()
	defer r.exit()
	v, st := r.c.tryDequeue(true)
	if st == mpscq.Busy {
		st = r.settle()
		v = r.take()
	}
	return v, r.result(1, st)
}

// RecvBatch waits until at least one value is in the channel, then moves as
// many of the oldest values as fit into buf, in order, and returns how many.
// Its errors and panics are those of Recv. With an empty buf it returns 0
// and nil at once.
//
// It costs the receiver less per value than Recv: one call returns many
// values, and a bounded channel releases the whole batch's room with one
// atomic store. When the receiver keeps up, the senders set the pace either
// way.
func (r *Receiver[T]) RecvBatch(ctx context.Context, buf []T) (int, error) {
	checkContext(ctx)
	r.enter()
	defer r.exit()
	if len(buf) == 0 {
		return 0, nil
	}
	n, st := r.c.dequeueBatch(buf, false)
	if st == mpscq.OK || st == mpscq.Closed {
		return n, r.result(n, st)
	}
	r.buf = buf
	st, err := r.wait(ctx)
	r.buf = nil
	if err != nil {
		return 0, err
	}
	return r.n, r.result(r.n, st)
}

// TryRecvBatch is the non-blocking twin of RecvBatch: it moves as many of
// the oldest values as are in the channel and fit into buf, in order, and
// returns how many. It returns 0 and ErrEmpty if there is none, and 0 and
// ErrClosed once the channel is closed and drained. Like TryRecv, it waits
// for no value, only for a send that has claimed the next position to
// finish writing it. With an empty buf it returns 0 and nil at once. It
// panics as Recv does.
func (r *Receiver[T]) TryRecvBatch(buf []T) (int, error) {
	r.enter()
	defer r.exit()
	if len(buf) == 0 {
		return 0, nil
	}
	n, st := r.c.dequeueBatch(buf, true)
	if st == mpscq.Busy {
		r.buf = buf
		st = r.settle()
		r.buf = nil
		n = r.n
	}
	return n, r.result(n, st)
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
// claimed a position and are finishing writing it. Any goroutine may call
// it at any time, concurrently with sends and receives (a metrics
// goroutine, say, as len is used on a chan); the count may be stale by the
// time it is returned.
func (r *Receiver[T]) Len() int {
	c := r.channel()
	if c.ring != nil {
		return c.ring.Len()
	}
	return c.list.Len()
}

// Cap returns the capacity passed to New, exactly (it is not rounded up),
// or -1 for an unbounded channel. Any goroutine may call it at any time.
func (r *Receiver[T]) Cap() int {
	if c := r.channel(); c.ring != nil {
		return c.ring.Cap()
	}
	return -1
}

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
