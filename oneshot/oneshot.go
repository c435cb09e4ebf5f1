package oneshot

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/diatomic-go/diatomic/waker"
)

// The state machine of tokio's sync::oneshot (tokio/src/sync/oneshot.rs):
// each side publishes what wakes it (tokio's RX_TASK_SET and TX_TASK_SET)
// and the other side's one RMW that finishes it decides who wakes whom. A
// Go Receiver outlives the value it took, so it also remembers that it took
// it, in a field only the receiver touches.
//
// The sender finishes once in a channel's life (the first Send or Close),
// so the receiver is woken at most once, and nothing ever needs to be
// withdrawn to stay correct: a registration left armed (a cancelled Recv, a
// Ready channel whose select took another case) costs that one finishing
// sender a single Wake of a parker nobody waits on, and no later wait can
// see that token, because every wait first looks at the state word and
// finds the sender done. The receiver withdraws a registration only to
// replace it (Register after Ready or Recv, or the reverse) or in
// Unregister.
//
// One allocation holds the whole channel: Sender and Receiver are two named
// types over the same struct, and New converts one pointer into the other.
// The receiver waits on parker, a zero waker.Parker embedded in the
// channel: a Recv parks on it, Ready returns its channel (parker.C). The
// parker makes its channel only when a Park really blocks or C is called,
// so a Recv whose sender answers while it yields allocates nothing. The
// sender's done channel is made by the first Done that registers.
//
// State word, bit by bit:
//
//	bit 0  rxWaiting   the receiver published its waiter: the Waker in
//	                   waiter, or, when waiter is nil, parker
//	bit 1  valueSent   value holds the sent value; the sender is done
//	bit 2  txClosed    the sender closed without a value; the sender is done
//	bit 3  rxClosed    the receiver hung up
//	bit 4  txWaiting   the sender published done (Sender.Done)
//
// Every change of the state word is one RMW (Or or And): the receiver and
// the sender both write it, for as long as the channel lives.
//
// Invariants:
//   - made is written only by New, before it returns the halves (so before
//     any other goroutine can see them), and only read afterwards. Every
//     method of a channel without it panics before it changes anything, so a
//     zero channel stays zero and every later call panics too.
//   - valueSent and txClosed are never both set, and exactly one RMW of the
//     sender sets one of them: the finishing RMW. No bit is ever cleared
//     except rxWaiting, and only by the receiver.
//   - value is written by the sender only before its finishing RMW, and read
//     or zeroed by the receiver only after it has observed valueSent (or by
//     the sender, when its finishing RMW found rxClosed already set).
//   - waiter is written only by the receiver, and only at a moment when
//     rxWaiting is clear and the last state it read shows the sender not
//     done; the sender reads it only after its finishing RMW found
//     rxWaiting set, and then wakes that waiter once: waiter.Wake(), or
//     parker.Wake(). So parker is woken at most once in its life; only the
//     receiver parks on it or calls its C.
//   - When the receiver clears rxWaiting, the value its And returns says
//     whether the sender had finished before it (and so is waking the old
//     waiter, which the receiver then leaves alone) or will find rxWaiting
//     clear.
//   - done is written only by the sender, once, before the RMW that sets
//     txWaiting. It is closed exactly once: by the receiver whose first
//     Close found txWaiting set, or else by the sender whose RMW setting
//     txWaiting found rxClosed set.
//   - taken is read and written by the receiver only; once set, value is
//     zero and every receive reports ErrClosed.
const (
	rxWaiting uint32 = 1 << iota
	valueSent
	txClosed
	rxClosed
	txWaiting

	txDone = valueSent | txClosed
	// settled: a receive would not report ErrEmpty, so the receiver has
	// nothing to wait for.
	settled = txDone | rxClosed
)

// The panics of misuse. Each is raised before the call changes anything, so
// the channel works as before after a recover.
const (
	errNilContext   = "oneshot: nil Context"
	errNilSender    = "oneshot: nil *Sender"
	errNilReceiver  = "oneshot: nil *Receiver"
	errNilWaker     = "oneshot: Register called with a nil Waker"
	errZeroSender   = "oneshot: Sender not made by New"
	errZeroReceiver = "oneshot: Receiver not made by New"
)

// Errors returned by the channel operations.
var (
	// ErrClosed: the other side hung up, or the value was already received.
	ErrClosed = errors.New("oneshot: channel closed")
	// ErrEmpty: TryRecv found no value yet, and the sender is still there.
	ErrEmpty = errors.New("oneshot: no value yet")
	// ErrAlreadySent: Send was called a second time.
	ErrAlreadySent = errors.New("oneshot: value already sent")
)

// closedChan is what Ready and Done return when there is nothing to wait
// for: receiving from it never blocks, and it belongs to no synctest bubble.
var closedChan = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

type channel[T any] struct {
	_      noCopy
	state  atomic.Uint32
	made   bool          // set by New; see the invariants
	taken  bool          // the receiver took the value; only the receiver touches it
	waiter waker.Waker   // the receiver's registered Waker, or nil for parker; see the invariants
	parker waker.Parker  // what Recv parks on and Ready returns the channel of
	done   chan struct{} // the sender's Done channel; see the invariants
	value  T             // see the invariants: written once by the sender
}

// Sender is the sending half of a channel made by [New]. It must not be
// copied; pass the pointer. A Sender not made by New (a zero value, or a nil
// pointer) is misuse: its methods panic.
type Sender[T any] struct{ c channel[T] }

// Receiver is the receiving half of a channel made by [New]. It must not be
// copied; pass the pointer. A Receiver not made by New (a zero value, or a
// nil pointer) is misuse: its methods panic.
type Receiver[T any] struct{ c channel[T] }

// New returns the two halves of a new channel. Both point into a single
// allocation.
func New[T any]() (*Sender[T], *Receiver[T]) {
	s := new(Sender[T])
	s.c.made = true
	return s, (*Receiver[T])(s)
}

// channel returns the channel of s, panicking if s is nil.
func (s *Sender[T]) channel() *channel[T] {
	if s == nil {
		panic(errNilSender)
	}
	return &s.c
}

// channel returns the channel of r, panicking if r is nil.
func (r *Receiver[T]) channel() *channel[T] {
	if r == nil {
		panic(errNilReceiver)
	}
	return &r.c
}

// Send hands v to the receiver. It never blocks.
//
// It returns ErrAlreadySent if a value was sent before, ErrClosed if the
// Sender was closed or the receiver hung up (v is then dropped).
func (s *Sender[T]) Send(v T) error {
	c := s.channel()
	if st := c.state.Load(); st&(txDone|rxClosed) != 0 || !c.made {
		return c.sendError(st)
	}
	c.value = v
	// The finishing RMW, publishing the value: it synchronizes the write of
	// value before any receiver load that observes valueSent; and it is
	// ordered with the receiver's RMW setting rxWaiting, so exactly one of
	// the two sees the other (the receiver does not wait, or we wake it).
	if prev := c.state.Or(valueSent); prev&(rxClosed|rxWaiting) != 0 {
		return c.sent(prev)
	}
	return nil
}

// sent finishes a Send whose RMW found the receiver closed or waiting.
// Outlined slow path to allow inlining of the fast path.
func (c *channel[T]) sent(prev uint32) error {
	if prev&rxClosed != 0 {
		// The receiver hung up before the value was published and will never
		// read it (its Close saw no valueSent): drop it.
		var zero T
		c.value = zero
		return ErrClosed
	}
	c.wake()
	return nil
}

// wake wakes the receiver's published waiter; the sender calls it once,
// after its finishing RMW found rxWaiting set, so the receiver's write of
// waiter happened before (it precedes its RMW setting rxWaiting).
func (c *channel[T]) wake() {
	if w := c.waiter; w != nil {
		w.Wake()
		return
	}
	c.parker.Wake()
}

// Outlined slow path to allow inlining of the fast path.
func (c *channel[T]) sendError(st uint32) error {
	if !c.made {
		panic(errZeroSender)
	}
	if st&valueSent != 0 {
		return ErrAlreadySent
	}
	return ErrClosed
}

// Close tells the receiver that no value will come: a Recv waiting or to come
// returns ErrClosed, and a Ready channel becomes ready. Close after Send, or a
// second Close, does nothing.
func (s *Sender[T]) Close() {
	c := s.channel()
	if !c.made {
		panic(errZeroSender)
	}
	if c.state.Load()&txDone != 0 {
		return
	}
	// The finishing RMW: the same pairing with the receiver's registration
	// as in Send.
	if c.state.Or(txClosed)&rxWaiting != 0 {
		c.wake()
	}
}

// Closed reports whether the receiver hung up (called Receiver.Close), so that
// a producer can give up early. It is a single atomic load.
func (s *Sender[T]) Closed() bool {
	c := s.channel()
	if !c.made {
		panic(errZeroSender)
	}
	return c.state.Load()&rxClosed != 0
}

// Done returns a channel that is closed once the receiver hung up: a
// producer selects on it while it prepares the value, as it would on
// ctx.Done(). Receiver.Close closes it before it returns, and once Closed
// reports true, Done returns a closed channel. While the receiver is there,
// every call returns the same channel, made by the first; a Sender whose
// Done is never called allocates nothing for it. Receiver.Close
// synchronizes before the receive from the channel that it closed.
//
// Done may be called after Send or Close: the receiver can still hang up.
// It belongs to the sending side: one goroutine at a time, as Send.
func (s *Sender[T]) Done() <-chan struct{} {
	c := s.channel()
	if c.state.Load()&(txWaiting|rxClosed) == txWaiting {
		return c.done // published by an earlier call of this side
	}
	return c.doneSlow()
}

// Outlined slow path to allow inlining of the fast path.
func (c *channel[T]) doneSlow() <-chan struct{} {
	if !c.made {
		panic(errZeroSender)
	}
	if c.state.Load()&rxClosed != 0 {
		return closedChan
	}
	c.done = make(chan struct{})
	// Publishing done: this RMW synchronizes the write above before the
	// receiver's Close whose RMW sees txWaiting; if it finds rxClosed, that
	// Close came first and did not see txWaiting, so we close it.
	if c.state.Or(txWaiting)&rxClosed != 0 {
		close(c.done)
	}
	return c.done
}

// Recv returns the value, blocking until it is sent, the sender closes, or
// ctx is done.
//
// It returns ErrClosed if the Sender was closed without a value, if the value
// was already received, or after Receiver.Close. If ctx ends first, Recv
// returns ctx.Err() and leaves the value to come for the next Recv, TryRecv
// or Ready. A value already there is returned even when ctx is already done.
// A nil ctx panics.
func (r *Receiver[T]) Recv(ctx context.Context) (T, error) {
	c := r.channel()
	if c.state.Load()&(valueSent|rxClosed) == valueSent && !c.taken && ctx != nil {
		// valueSent observed: the sender's write of value happened before.
		return c.takeValue(), nil
	}
	return c.recvSlow(ctx)
}

// TryRecv returns the value if it has been sent, ErrEmpty if the sender has
// neither sent nor closed yet, and ErrClosed as Recv does. It never blocks.
func (r *Receiver[T]) TryRecv() (T, error) {
	c := r.channel()
	return c.take(c.state.Load())
}

// Ready returns a channel that becomes ready to receive from once the value
// is there or the channel is closed, for a select beside other cases; then
// TryRecv returns the value or ErrClosed.
//
// Each call arms it anew: after a select that took another case, call Ready
// again before selecting again. When the value is already there or the
// channel is closed, Ready returns a channel that is ready at once, without
// registering anything. A wake-up is never lost: a value sent, or a Close of
// either side, after a TryRecv that reported ErrEmpty makes the channel of
// the next Ready ready. Write the loop as if a wake-up could be spurious
// (TryRecv reporting ErrEmpty, then Ready again). A Ready channel given up
// costs the sender one non-blocking send on it when it sends or closes,
// nothing more.
//
// The first Ready that registers makes the channel, which a Recv after it
// shares; later calls allocate nothing. Ready replaces a Waker registered with
// Register. It belongs to the receiving side: one goroutine at a time, as
// Recv.
func (r *Receiver[T]) Ready() <-chan struct{} {
	c := r.channel()
	if st := c.state.Load(); st&(rxWaiting|settled) == rxWaiting && c.waiter == nil {
		return c.parker.C() // armed by an earlier call, and the sender is not done
	}
	return c.readySlow()
}

// Outlined slow path to allow inlining of the fast path.
func (c *channel[T]) readySlow() <-chan struct{} {
	if !c.made {
		panic(errZeroReceiver)
	}
	if c.arm()&settled != 0 {
		return closedChan
	}
	return c.parker.C()
}

// arm makes parker the receiver's published waiter, unless it already is or
// the sender is done, and returns the last state it read: when that is
// settled, parker will get no Wake from this arming.
func (c *channel[T]) arm() uint32 {
	st := c.state.Load()
	if st&settled != 0 {
		return st
	}
	if st&rxWaiting != 0 {
		if c.waiter == nil {
			return st // parker is armed
		}
		// A Waker is registered: withdraw it before replacing it. If the
		// sender finished first, it is waking that Waker: leave it alone.
		if st = c.state.And(^rxWaiting); st&txDone != 0 {
			return st
		}
	}
	c.waiter = nil
	// Registering: this RMW either comes before the sender's finishing RMW,
	// which then sees rxWaiting and wakes parker (waiter, written above, is
	// read after it), or after it, and we see the sender done in what it
	// returns.
	return c.state.Or(rxWaiting)
}

// Register arranges for w.Wake() to be called once the value is there or the
// channel is closed (when TryRecv would no longer report ErrEmpty), at once
// if it already is. It is the hook of a set of sources that one goroutine
// waits on: one Wake per Register, from the goroutine that sends or closes,
// or from the caller of Register.
//
// Register replaces the registration of an earlier Register, Ready or Recv
// (the Waker replaced may still get the Wake of a sender that finished
// meanwhile). It belongs to the receiving side: one goroutine at a time, as
// Recv. It panics if w is nil, leaving the channel as it was.
func (r *Receiver[T]) Register(w waker.Waker) {
	c := r.channel()
	if w == nil {
		panic(errNilWaker)
	}
	if !c.made {
		panic(errZeroReceiver)
	}
	st := c.state.Load()
	if st&settled == 0 {
		if st&rxWaiting != 0 {
			// Withdraw the registration before replacing it; if the sender
			// finished first, it is waking the old waiter, so w is woken
			// below.
			st = c.state.And(^rxWaiting)
		}
		if st&txDone == 0 {
			c.waiter = w
			// Registering: the pairing with the finishing RMW is arm's.
			st = c.state.Or(rxWaiting)
		}
	}
	if st&settled != 0 {
		w.Wake()
	}
}

// Unregister withdraws the Waker of Register, if one is registered, so that
// the sender will not wake it. A Wake already under way (the sender finished
// as Unregister was called) may still arrive after Unregister returns. A
// Ready channel or a waiting Recv is not affected.
func (r *Receiver[T]) Unregister() {
	c := r.channel()
	if !c.made {
		panic(errZeroReceiver)
	}
	if c.waiter == nil {
		return // no Waker registered: parker, or nothing
	}
	// If the sender finished first, it may be reading waiter: leave it.
	if c.state.And(^rxWaiting)&txDone == 0 {
		c.waiter = nil
	}
}

// Close hangs up: a later Send returns ErrClosed, Sender.Closed reports true,
// the channel of Sender.Done is closed, and a value already sent but not
// received is dropped. Close after Recv, or a second Close, does nothing
// harmful.
func (r *Receiver[T]) Close() {
	c := r.channel()
	if !c.made {
		panic(errZeroReceiver)
	}
	// The RMW orders Close with the sender's finishing RMW: if it saw
	// valueSent, the value was written before and only we may touch it now.
	// It is ordered with the sender's RMW setting txWaiting too: if it sees
	// txWaiting, done was written before and we close it.
	prev := c.state.Or(rxClosed)
	if prev&(valueSent|rxClosed) == valueSent && !c.taken {
		var zero T
		c.value = zero
	}
	if prev&(txWaiting|rxClosed) == txWaiting {
		close(c.done)
	}
}

// take returns what the receiver gets in state st. It is called only by the
// receiver.
func (c *channel[T]) take(st uint32) (T, error) {
	var zero T
	switch {
	case st&(valueSent|rxClosed) == valueSent && !c.taken:
		return c.takeValue(), nil
	case st&settled != 0:
		return zero, ErrClosed
	case !c.made:
		panic(errZeroReceiver)
	default:
		return zero, ErrEmpty
	}
}

// takeValue moves the value out; the receiver calls it once it has observed
// valueSent.
func (c *channel[T]) takeValue() T {
	var zero T
	v := c.value
	c.value, c.taken = zero, true
	return v
}

// Outlined slow path to allow inlining of the fast path.
func (c *channel[T]) recvSlow(ctx context.Context) (T, error) {
	if ctx == nil {
		panic(errNilContext)
	}
	if st := c.state.Load(); st&settled != 0 || !c.made {
		return c.take(st)
	}
	select {
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	default:
	}
	// Park: its token is the sender's Wake, which follows its finishing RMW.
	if c.arm()&settled == 0 && c.parker.Park(ctx) != nil {
		if st := c.state.Load(); st&settled == 0 {
			// Still nothing: parker stays armed for the next receive, and
			// the Wake to come costs the sender nothing more.
			var zero T
			return zero, ctx.Err()
		}
		// The sender finished as ctx ended: its result wins, and its Wake
		// leaves a token nobody takes (no later wait parks).
	}
	return c.take(c.state.Load())
}

// noCopy may be embedded into structs which must not be copied after first
// use; go vet's copylocks check reports copies.
type noCopy struct{}

func (*noCopy) Lock()   {}
func (*noCopy) Unlock() {}
