package oneshot

import (
	"context"
	"errors"
	"sync/atomic"
)

// The state machine of tokio's sync::oneshot (tokio/src/sync/oneshot.rs),
// without the sender-side waker (a Sender never waits). A Go Receiver
// outlives the value it took, so it also remembers that it took it, in a
// field only the receiver touches.
//
// One allocation holds the whole channel: Sender and Receiver are two named
// types over the same struct, and New converts one pointer into the other.
//
// State word, bit by bit:
//
//	bit 0  rxWaiting   the receiver published parker and may be parked on it
//	bit 1  valueSent   value holds the sent value; the sender is done
//	bit 2  txClosed    the sender closed without a value; the sender is done
//	bit 3  rxClosed    the receiver hung up
//
// Invariants:
//   - made is written only by New, before it returns the halves (so before
//     any other goroutine can see them), and only read afterwards. Every
//     method of a channel without it panics before it changes anything, so a
//     zero channel stays zero and every later call panics too.
//   - valueSent and txClosed are never both set. Once either is set ("the
//     sender is done") the sender never writes the state word again, so from
//     then on the receiver may update it with a plain atomic Store.
//   - value is written by the sender only before it sets valueSent, and read
//     or zeroed by the receiver only after it has observed valueSent (or by
//     the sender, when the RMW that set valueSent found rxClosed already set).
//   - parker is written only by the receiver while rxWaiting is clear, and
//     read only by the sender whose completing RMW found rxWaiting set; that
//     sender then wakes it exactly once.
//   - taken is read and written by the receiver only; once set, value is
//     zero and every receive reports ErrClosed.
//   - No Recv returns with rxWaiting set, and a parker goes back to the pool
//     only when no wake is pending for it: either the receiver withdrew
//     rxWaiting before the sender saw it, or it consumed the sender's wake.
const (
	rxWaiting uint32 = 1 << iota
	valueSent
	txClosed
	rxClosed

	txDone = valueSent | txClosed
)

// The panics of misuse. Each is raised before the call changes anything, so
// the channel works as before after a recover.
const (
	errNilContext   = "oneshot: nil Context"
	errNilSender    = "oneshot: nil *Sender"
	errNilReceiver  = "oneshot: nil *Receiver"
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

type channel[T any] struct {
	_      noCopy
	state  atomic.Uint32
	made   bool    // set by New; see the invariants
	taken  bool    // the receiver took the value; only the receiver touches it
	parker *parker // see the invariants: owned by the side the state word says
	value  T       // see the invariants: written once by the sender
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
	// Publishing the value: this RMW synchronizes the write of value before
	// any receiver load that observes valueSent; and it is ordered with the
	// receiver's RMW setting rxWaiting, so exactly one of the two sees the
	// other (the receiver does not park, or we wake it).
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
	c.parker.Wake()
	return nil
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
// returns ErrClosed. Close after Send, or a second Close, does nothing.
func (s *Sender[T]) Close() {
	c := s.channel()
	if !c.made {
		panic(errZeroSender)
	}
	if c.state.Load()&txDone != 0 {
		return
	}
	// Same pairing with the receiver's registration as in Send.
	if c.state.Or(txClosed)&rxWaiting != 0 {
		c.parker.Wake()
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

// Recv returns the value, blocking until it is sent, the sender closes, or
// ctx is done.
//
// It returns ErrClosed if the Sender was closed without a value, if the value
// was already received, or after Receiver.Close. If ctx ends first, Recv
// returns ctx.Err() and leaves the channel as if it had not been called: a
// value sent later stays for the next Recv or TryRecv. A value already there
// is returned even when ctx is already done. A nil ctx panics.
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

// Close hangs up: a later Send returns ErrClosed, Sender.Closed reports true,
// and a value already sent but not received is dropped. Close after Recv, or
// a second Close, does nothing harmful.
func (r *Receiver[T]) Close() {
	c := r.channel()
	if !c.made {
		panic(errZeroReceiver)
	}
	// The RMW orders Close with the sender's completing RMW: if it saw
	// valueSent, the value was written before and only we may touch it now.
	if c.state.Or(rxClosed)&(valueSent|rxClosed) == valueSent && !c.taken {
		var zero T
		c.value = zero
	}
}

// take returns what the receiver gets in state st. It is called only by the
// receiver.
func (c *channel[T]) take(st uint32) (T, error) {
	var zero T
	switch {
	case st&(valueSent|rxClosed) == valueSent && !c.taken:
		return c.takeValue(), nil
	case st&(txDone|rxClosed) != 0:
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
	if st := c.state.Load(); st&(txDone|rxClosed) != 0 || !c.made {
		return c.take(st)
	}
	select {
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	default:
	}
	p := getParker()
	c.parker = p
	// Registering: the RMW either comes before the sender's completing RMW,
	// which then sees rxWaiting and wakes c.parker (written above, so the
	// write happens before the sender's read), or after it, and we see the
	// sender done in prev and do not park.
	prev := c.state.Or(rxWaiting)
	if prev&txDone == 0 {
		if err := p.Park(ctx); err != nil {
			// Withdraw the registration, unless the sender completed in the
			// meantime: the CAS fails exactly when its RMW saw rxWaiting.
			if c.state.CompareAndSwap(prev|rxWaiting, prev) {
				c.parker = nil
				p.release()
				var zero T
				return zero, err
			}
			// That sender has committed to waking us: take its wake so
			// that the parker goes back clean, and return what it sent.
			_ = p.Park(context.Background())
		}
	}
	// The sender is done (prev or the wake says so) and no longer touches
	// the state word: clear rxWaiting with a Store.
	st := c.state.Load() &^ rxWaiting
	c.state.Store(st)
	c.parker = nil
	p.release()
	return c.take(st)
}

// noCopy may be embedded into structs which must not be copied after first
// use; go vet's copylocks check reports copies.
type noCopy struct{}

func (*noCopy) Lock()   {}
func (*noCopy) Unlock() {}
