package mpsc

import (
	"sync/atomic"

	"github.com/diatomic-go/diatomic/waker"
)

// Selecting: Receiver.Ready and SlotReceiver.Ready (a channel for a Go
// select), Register and Unregister (a caller's waker, for a goroutine that
// serves many sources), Sender.Done.
//
// A receiving end has one registration at a time, and three registrants
// take turns, all on the receiving goroutine:
//
//	a waiting receive  a channel's: announced in the channel's wait word
//	                   (see Receiver.wait), outside the sink; a Slot's:
//	                   registered by WakeSink.Wait, with one RMW on the
//	                   sink's state word, outside its waker slots; ended by
//	                   the send or close that takes it, or withdrawn on the
//	                   receive's way out
//	sel                Ready's Parker, in channel mode: its channel is what
//	                   Ready returns, and a wake-up is a non-blocking send
//	                   on it (capacity 1)
//	a caller's waker   registered by Register, withdrawn by Unregister
//
// sel and a caller's waker go through the sink's waker slot (a
// waker.DiatomicWaker): a registration replaces the one before it (a slot
// write when the waker differs from the last one, one RMW when it is the
// same). A Notify wakes whatever is registered and consumes the
// registration.
//
// Ready, after a look that found nothing (the look: a position claimed
// beyond the receiver's, or the closed bit; for a Slot, a value or
// closedWord):
//
//	enter:    busy 0 -> 1, or panic: a receive is waiting or registering
//	drain:    take a token left in sel's channel by a wake-up that no
//	          select received (it took another case)
//	register: sel in the sink, then look again; if the look finds
//	          something, unregister and return closedChan
//	exit:     busy -> 0; return sel's channel
//
// Invariants:
//   - No lost wake-up. Register is a seq-cst RMW on the waker's state word;
//     a send's Notify is a seq-cst load of it after the send's claim (the
//     ring's CAS on head, the list's add on its segment, the slot's CAS),
//     and Close's after the closed bit. Either the Notify sees the
//     registration and wakes sel, which sends the token that makes the
//     channel ready, or it loaded before the register, and then the look
//     after the register sees the claim (Len counts claimed positions) or
//     the closed bit. A drained token came from a wake-up before the drain,
//     which the look after the register covers in the same way.
//   - A wake-up may be spurious, never lost: sel's channel may hold a
//     token from a registration that a later arming replaced, or from a
//     value that a TryRecv took since; a look that found a value
//     withdraws the registration it made.
//   - A receiver that stopped selecting costs its senders at most one
//     non-blocking send: the Notify that sends the token consumes the
//     registration, and every later Notify finds none (one atomic load).
//   - A receive that waits (Recv, RecvBatch, and TryRecv waiting out a
//     send between its claim and its write) unregisters sel or the
//     caller's waker (registrant.disarm, when armed says one may be
//     there), waits, and withdraws its wait when it returns: what was
//     armed before is then no longer registered, which is why each Ready
//     arms anew (one RMW, sel being the waker in the slot still), and why
//     Register must be called again after such a receive. A send that
//     hands its value to a waiting receive skips the sink: nothing is
//     armed on it then.
//   - busy serializes the registrants: a Ready, Register or Unregister
//     that overlaps a waiting receive (or another of them) panics before it
//     touches the sink, as a waiting receive that overlaps them does.
//   - Nothing allocates after the first Ready, which makes sel's channel.
//
// Sender.Done: done (see channel) goes from nil to the channel the first
// Done made (a CAS, so one wins), and to &closedChan when the channel
// closes (a Swap in close, after the closed bit, called once: by the call
// whose queue Close closed it). Only that Swap closes a channel, the one it
// swapped out, so none is closed twice; a Done after it returns closedChan.

// closedChan is the channel ready at once that Ready returns when there is
// something to receive, and Done once the channel is closed.
var closedChan = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// hookPoint names a step of Ready, or of a receive's wait, at which a test
// runs code of its own, to drive one interleaving deterministically.
type hookPoint int

const (
	hookBeforeRegister hookPoint = iota // Ready looked and drained, before it registers
	hookAfterRegister                   // Ready registered, before it looks again
	hookRecvCancelled                   // a parked receive saw its ctx end, before it withdraws its wait
)

// testHook is nil except while a test of this package sets it. It is read
// only on Ready's arming path and on a cancelled wait's, never on a path
// that must inline.
var testHook func(hookPoint)

func hook(p hookPoint) {
	if testHook != nil {
		testHook(p)
	}
}

const panicNilWaker = "mpsc: Register called with a nil Waker"

// looker is a receiving end's look: whether a receive would find a value,
// or the end of the channel, now.
type looker interface{ pending() bool }

// pending reports whether a receive would find a value (or a send between
// its claim and its write, which TryRecv waits out) or the end of the
// channel.
func (c *channel[T]) pending() bool { return c.q.Len() != 0 || c.q.Closed() }

// registrant is the state a receiving end keeps to take its turn in its
// sink's waker slot: the guard that serializes waits and registrations, and
// Ready's parker.
type registrant struct {
	// 1 while a receive waits, or Ready, Register or Unregister
	// registers on the sink.
	busy atomic.Uint32
	sel  waker.Parker // Ready's waker, in channel mode from the first Ready on
	// A registration of Ready's or Register's may be in the sink: set
	// when one is made, cleared when one is withdrawn. Written inside
	// enter and exit only.
	armed bool
}

// enter starts a wait, or a registration on the sink; exit ends it. enter
// panics with msg, before the call touches the channel, if another is in
// progress. The CAS makes the check exact: of two that overlap, the one
// that starts second panics, and the one in progress goes on undisturbed.
func (g *registrant) enter(msg string) {
	if !g.busy.CompareAndSwap(0, 1) {
		panic(msg)
	}
}

func (g *registrant) exit() { g.busy.Store(0) }

// ready is Ready of the end whose sink and look are given (see the
// protocol above).
func (g *registrant) ready(sink *waker.WakeSink, l looker, msg string) <-chan struct{} {
	if l.pending() {
		return closedChan
	}
	g.enter(msg)
	ch := g.sel.C()
	select {
	case <-ch: // a stale token: its wake-up is covered by the look below
	default:
	}
	hook(hookBeforeRegister)
	sink.Register(&g.sel)
	g.armed = true
	hook(hookAfterRegister)
	if l.pending() {
		sink.Unregister()
		g.armed = false
		ch = closedChan
	}
	g.exit()
	return ch
}

// register is Register of the end whose sink and look are given: w is
// registered, then the look decides; if it finds something, w is withdrawn
// and woken at once, outside the guard.
func (g *registrant) register(sink *waker.WakeSink, l looker, w waker.Waker, msg string) {
	if w == nil {
		panic(panicNilWaker)
	}
	if l.pending() || g.registerLook(sink, l, w, msg) {
		w.Wake()
	}
}

// registerLook registers w and looks; if the look finds something, it
// withdraws w and reports true.
func (g *registrant) registerLook(sink *waker.WakeSink, l looker, w waker.Waker, msg string) bool {
	g.enter(msg)
	defer g.exit() // sink.Register panics on a non-comparable w
	sink.Register(w)
	g.armed = true
	if !l.pending() {
		return false
	}
	sink.Unregister()
	g.armed = false
	return true
}

// unregister is Unregister.
func (g *registrant) unregister(sink *waker.WakeSink, msg string) {
	g.enter(msg)
	g.disarm(sink)
	g.exit()
}

// disarm withdraws what Ready or Register armed on the sink, if anything
// may be armed: a receive that waits does, before it announces its wait
// (see Receiver.wait), so that nothing stays registered once it returns.
// Called inside enter and exit.
func (g *registrant) disarm(sink *waker.WakeSink) {
	if g.armed {
		sink.Unregister()
		g.armed = false
	}
}

// Ready returns a channel that is ready to receive from once the channel
// holds a value or is closed, for a select beside other cases; after it is
// ready, TryRecv or TryRecvBatch takes the values:
//
//	for {
//		v, err := rx.TryRecv()
//		if err == nil {
//			handle(v)
//			continue
//		}
//		if errors.Is(err, mpsc.ErrClosed) {
//			return
//		}
//		select {
//		case <-rx.Ready():
//		case <-ticker.C:
//			flush()
//		case <-ctx.Done():
//			return
//		}
//	}
//
// Each call arms it anew, and only the channel of the latest call is
// armed. When a value is already there, or the channel is closed, Ready
// returns a channel that is ready at once, and registers nothing. A
// wake-up may be spurious (TryRecv then reports ErrEmpty, and the loop
// calls Ready again), but it is never lost: a value sent after TryRecv
// reported ErrEmpty always makes the next Ready's channel ready. Arming and
// waking allocate nothing after the first call, and no goroutine is
// started; a receiver that stopped selecting on the channel costs its
// senders at most one wasted non-blocking channel send.
//
// A Ready right after a stream of values yields its processor a few times,
// looking after each yield, before it arms, as a receive does before it
// parks (see Blocking in the package documentation).
//
// Ready is a receive method: it must be called by the receiving goroutine,
// and it panics if another receive on r is waiting (or r is a zero
// Receiver), before it touches the channel. A receive that waits (Recv,
// RecvBatch) disarms it; call Ready again afterwards.
func (r *Receiver[T]) Ready() <-chan struct{} {
	c := r.channel()
	if r.streamed(c.pending) {
		return closedChan
	}
	return r.reg.ready(r.sink, r, panicConcurrentRecv)
}

// Register arranges for w.Wake to be called once the channel holds a value
// or is closed, and at once (from Register) if it already does: a goroutine
// that serves many sources registers its waker with each, and learns which
// is ready from the Wake. Register registers, then looks, so no wake-up is
// lost between a TryRecv that found nothing and Register. After a Wake,
// nothing is registered: register again after TryRecv reports ErrEmpty. A
// Wake may be spurious, and when a value arrives while Register looks, w
// may be woken twice. w.Wake is called by the sender or closer whose call made the channel
// ready, or by Register itself; it must not block.
//
// A registration replaces the one before it; a later Register or Ready
// replaces it, and so does a receive that waits (Recv, RecvBatch), which
// leaves nothing registered when it returns. Register is a receive method, with Ready's panics; it panics too if w is
// nil, and as [waker.DiatomicWaker.Register] does if w is not comparable,
// before it changes anything.
func (r *Receiver[T]) Register(w waker.Waker) {
	r.channel()
	r.reg.register(r.sink, r, w, panicConcurrentRecv)
}

// Unregister withdraws the waker registered by Register, or Ready's, if it
// has not been woken; a Wake already under way may still happen. It is a
// receive method, with Ready's panics.
func (r *Receiver[T]) Unregister() {
	r.channel()
	r.reg.unregister(r.sink, panicConcurrentRecv)
}

func (r *Receiver[T]) pending() bool { return r.c.pending() }

// Done returns a channel that is closed once the channel is closed, for
// any reason: the receiver closed it, or the last open Sender handle did.
// A producer selects on it while it prepares work, as it would on
// ctx.Done(); once it is closed, every send reports ErrClosed. It does not
// tell that this handle alone is closed. The channel is made by the first
// call, on any handle, and shared by all; a Done after the close returns a
// closed channel and makes nothing. Any goroutine may call it. It panics
// on a zero Sender.
func (s *Sender[T]) Done() <-chan struct{} {
	c := s.channel()
	if p := c.done.Load(); p != nil {
		return *p
	}
	return c.makeDone()
}

// makeDone makes Done's channel; of two calls that race, one channel wins.
func (c *channel[T]) makeDone() <-chan struct{} {
	ch := make(chan struct{})
	if c.done.CompareAndSwap(nil, &ch) {
		return ch
	}
	return *c.done.Load() // the winner's, or closedChan
}

// closeDone closes Done's channel, if one was made; close calls it once,
// after the closed bit.
func (c *channel[T]) closeDone() {
	if p := c.done.Swap(&closedChan); p != nil && p != &closedChan {
		close(*p)
	}
}

// Ready returns a channel that is ready to receive from once a value is in
// the slot or the slot is closed, for a select beside other cases; TryRecv
// then takes the value or reports ErrClosed. Its contract is that of
// [Receiver.Ready]: each call arms it anew, ready at once when a value is
// there or the slot is closed, spurious wake-ups but no lost one, no
// allocation after the first call. It must be called by the goroutine
// that calls Recv, and panics if a Recv is waiting, or on a zero
// SlotReceiver. A Recv that waits disarms it.
func (r *SlotReceiver) Ready() <-chan struct{} {
	r.check()
	return r.reg.ready(r.sink, r, panicConcurrentSlot)
}

// Register arranges for w.Wake to be called once a value is in the slot or
// the slot is closed, and at once if it already is; see [Receiver.Register], whose contract and
// panics it has.
func (r *SlotReceiver) Register(w waker.Waker) {
	r.check()
	r.reg.register(r.sink, r, w, panicConcurrentSlot)
}

// Unregister withdraws the waker registered by Register, or Ready's; see
// [Receiver.Unregister].
func (r *SlotReceiver) Unregister() {
	r.check()
	r.reg.unregister(r.sink, panicConcurrentSlot)
}

// pending: a value, or closedWord.
func (r *SlotReceiver) pending() bool { return r.st.val.Load() != 0 }
