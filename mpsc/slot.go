package mpsc

import (
	"context"
	"sync/atomic"

	"github.com/diatomic-go/diatomic/waker"
)

// The Slot: the capacity-1 channel of non-zero values from the diatomic-waker
// README (asynchronics/diatomic-waker), with a close. One atomic word holds
// the value; senders CAS 0 -> v and notify a WakeSink; the receiver takes
// the value and leaves 0, waiting on the sink while the word is 0. Closing
// sets a flag, then closes the word when it is empty.
//
// State:
//
//	val      0           empty
//	         closedWord  closed and empty: final
//	         v           the value sent and not yet received
//	closing  set by Close (of either end), never cleared
//
// Steps (every access is a seq-cst atomic):
//
//	TrySend(v)  load closing: set -> ErrClosed; CAS val 0 -> v: done, wake
//	            the sink; else load val: closedWord -> ErrClosed, 0 -> CAS
//	            again (emptied meanwhile), v' -> ErrFull
//	Close       store closing; CAS val 0 -> closedWord; wake the sink;
//	            close Done's channel
//	take        load val: 0 -> ErrEmpty; closedWord -> ErrClosed; w -> CAS
//	            val w -> 0 (on failure an overlapping take won: load again),
//	            then load closing: set -> CAS val 0 -> closedWord, and if it
//	            succeeds wake the sink; return w
//
// Invariants:
//   - Only senders change val from 0 to a value, only takes change it from
//     a value to 0, and a take returns what its CAS replaced: each value
//     sent is received once, even by takes that overlap (which is why
//     TryRecv needs no guard).
//   - closedWord is final: no CAS expects it. A receive reports ErrClosed
//     only when it loads closedWord, so no value follows an ErrClosed.
//   - Once a Close has returned, val is closedWord, or a value that a later
//     take takes and then closes the word, or 0 only inside a take between
//     its two CASes. Close's CAS either closes an empty word, or fails on a
//     value w and then precedes, in the seq-cst order, the take's CAS that
//     removes w (a failed CAS reads w, which the take's write replaces), so
//     the take's load of closing after its CAS sees the flag. Hence a take
//     that found 0 may report ErrEmpty without looking at closing: a Close
//     in progress has not taken effect, and the one that returned left no 0.
//   - A TrySend that starts after a Close returned loads closing set and
//     fails. One that loaded closing clear before the Close's store may
//     still store its value, in the window of a take between its CASes
//     (the take's re-close CAS then fails, and the next take takes the
//     value and closes the word) or before Close's CAS (which then fails):
//     either way the value is received before ErrClosed. One whose CAS
//     comes after the word is closed loads closedWord and fails.
//   - No lost wake-up: every change of val that a waiting receive must see
//     (a value stored, the word closed by Close or by a take) is followed by
//     a wake of the sink by the goroutine that made it; the sink's Wait
//     registers, then looks again (see waker/wake_sink.go).
//   - reg.busy is 1 exactly while a Recv waits on the sink (see Recv), or a
//     Ready, Register or Unregister registers on it: the sink has one
//     registrant at a time (see select.go).
//
// models/mpsc_slot.pml checks these steps.

// closedWord is val's value once the slot is closed and empty. Like 0, it
// cannot be sent.
const closedWord = ^uint64(0)

// slot is the state both ends of a Slot share.
type slot struct {
	val atomic.Uint64
	// closing is written only by Close. It sits 64 bytes past val, off
	// val's cache line, which senders and the receiver keep writing, so
	// that TrySend's load of it finds it in its cache.
	_       [56]byte
	closing atomic.Bool
	done    atomic.Pointer[chan struct{}] // Done's channel, as channel.done (see select.go)
	wake    waker.WakeSource
}

// NewSlot returns the two ends of a channel that holds at most one uint64
// other than 0 and ^uint64(0), the two values it reserves: a TrySend fails
// while a value is waiting, and Recv waits for one. Nothing allocates after
// NewSlot, and a TrySend with the receiver not waiting costs one CAS and two
// atomic loads, one of them of the word only a Close writes.
//
// Either end may close the slot. A value waiting when it closes can still
// be received; after it, receives report [ErrClosed], and so does every
// TrySend that starts after the Close returned.
//
// A successful TrySend synchronizes before the Recv or TryRecv that returns
// its value. The Close that closed the slot synchronizes before every
// receive and every TrySend that reports ErrClosed.
func NewSlot() (*SlotSender, *SlotReceiver) {
	sink := waker.NewWakeSink()
	st := &slot{wake: sink.Source()}
	r := &SlotReceiver{st: st, sink: sink}
	r.ready = r.poll
	return &SlotSender{st: st}, r
}

// A SlotSender is the sending end of a Slot. Any number of goroutines may
// use it concurrently, Close included.
type SlotSender struct {
	st *slot
}

// TrySend stores v if the slot is empty and open. It returns nil if it did,
// [ErrFull] if a value is waiting, and [ErrClosed] if the slot is closed;
// it reports ErrFull only if the slot held a value at some instant during
// the call. It panics, before it touches the slot, if v is 0 (which stands
// for "empty") or ^uint64(0) (which stands for "closed"), and on a zero
// SlotSender.
func (s *SlotSender) TrySend(v uint64) error {
	if v == 0 || v == closedWord {
		panic(panicReservedSlotValue)
	}
	if s.st == nil {
		panic(panicZeroSlotSender)
	}
	st := s.st
	if st.closing.Load() {
		return ErrClosed
	}
	// The CAS publishes v: it synchronizes before the receiver's load that
	// sees it. The wake comes after, so a waiting receiver's re-check sees v.
	for !st.val.CompareAndSwap(0, v) {
		switch st.val.Load() {
		case 0: // taken since the CAS: the slot was not full at that instant
		case closedWord:
			return ErrClosed
		default:
			return ErrFull
		}
	}
	st.wake.Wake()
	return nil
}

// Close closes the slot: a value waiting can still be received, then
// receives report [ErrClosed], and so does every TrySend that starts after
// Close returns. It may be called any number of times, from any goroutine,
// on either end. It panics on a zero SlotSender.
func (s *SlotSender) Close() {
	if s.st == nil {
		panic(panicZeroSlotSender)
	}
	s.st.close()
}

// Done returns a channel that is closed once the slot is closed, by either
// end, for a producer's select. The channel is made by the first call; a
// Done after the close returns a closed channel and makes nothing. Any
// goroutine may call it. It panics on a zero SlotSender.
func (s *SlotSender) Done() <-chan struct{} {
	if s.st == nil {
		panic(panicZeroSlotSender)
	}
	if p := s.st.done.Load(); p != nil {
		return *p
	}
	return s.st.makeDone()
}

// close is Close of either end (see the protocol above).
func (st *slot) close() {
	st.closing.Store(true)
	// On failure the word holds a value: the take that removes it sees
	// closing and closes the word.
	st.val.CompareAndSwap(0, closedWord)
	st.wake.Wake()
	st.closeDone()
}

// makeDone makes Done's channel; of two calls that race, one channel wins.
func (st *slot) makeDone() <-chan struct{} {
	ch := make(chan struct{})
	if st.done.CompareAndSwap(nil, &ch) {
		return ch
	}
	return *st.done.Load() // the winner's, or closedChan
}

// closeDone closes Done's channel, if one was made, once: every Close
// swaps in closedChan after the closing flag, and only the Swap that takes
// out another channel closes it.
func (st *slot) closeDone() {
	if p := st.done.Swap(&closedChan); p != nil && p != &closedChan {
		close(*p)
	}
}

// A SlotReceiver is the receiving end of a Slot. Recv, Ready, Register and
// Unregister must be called from one goroutine at a time: a Recv that would
// wait while another Recv waits panics, before it touches the slot, and so
// do Ready, Register and Unregister while a Recv waits. A TryRecv that
// overlaps another receive is harmless: each value goes to exactly one of
// them. Close may be called from any goroutine. A SlotReceiver must not be
// copied.
type SlotReceiver struct {
	_      noCopy
	st     *slot
	sink   *waker.WakeSink
	ready  func() bool // r.poll, bound once
	got    uint64      // poll's result
	gotErr error
	reg    registrant // the guard of Recv's wait and of registrations, and Ready's waker (see select.go)
}

const (
	panicZeroSlotSender    = "mpsc: use of a zero SlotSender: make slots with NewSlot"
	panicZeroSlotReceiver  = "mpsc: use of a zero SlotReceiver: make slots with NewSlot"
	panicConcurrentSlot    = "mpsc: concurrent receive: a SlotReceiver's Recv, Ready, Register and Unregister must be called from one goroutine at a time"
	panicReservedSlotValue = "mpsc: SlotSender.TrySend called with 0 or ^uint64(0), the values a Slot reserves for empty and closed"
)

// TryRecv takes the value if one is waiting, leaving the slot empty. It
// returns [ErrEmpty] if the slot is empty and open, and [ErrClosed] if it is
// closed and empty. It panics on a zero SlotReceiver.
func (r *SlotReceiver) TryRecv() (uint64, error) {
	// A load first, so that polling an empty slot writes nothing.
	if st := r.st; st != nil && st.val.Load() == 0 {
		return 0, ErrEmpty
	}
	return r.take()
}

// take is TryRecv past the load that found the slot not empty: the steps
// of the protocol above, from the load on. It panics on a zero
// SlotReceiver.
func (r *SlotReceiver) take() (uint64, error) {
	r.check()
	st := r.st
	for {
		w := st.val.Load()
		switch w {
		case 0: // an overlapping take won the value
			return 0, ErrEmpty
		case closedWord:
			return 0, ErrClosed
		}
		if st.val.CompareAndSwap(w, 0) {
			if st.closing.Load() {
				st.reclose()
			}
			return w, nil
		}
		// An overlapping take won w: look again.
	}
}

// reclose closes the word a take emptied after a Close, unless a value came
// in meanwhile (its take closes it then), and wakes a receive that may be
// waiting beside the take (a TryRecv on another goroutine).
func (st *slot) reclose() {
	if st.val.CompareAndSwap(0, closedWord) {
		st.wake.Wake()
	}
}

// check panics on a zero SlotReceiver.
func (r *SlotReceiver) check() {
	if r.st == nil {
		panic(panicZeroSlotReceiver)
	}
}

func (r *SlotReceiver) poll() bool {
	r.got, r.gotErr = r.TryRecv()
	return r.gotErr != ErrEmpty
}

// Recv takes the value, waiting until there is one, the slot is closed or
// ctx ends. It returns [ErrClosed] once the slot is closed and empty. On
// cancellation it returns ctx.Err() and the slot is left as it was; a value
// already waiting is returned even if ctx is done. It panics if ctx is nil,
// on a zero SlotReceiver, and if it would wait while another Recv waits,
// before it touches the slot.
func (r *SlotReceiver) Recv(ctx context.Context) (uint64, error) {
	checkContext(ctx)
	if v, err := r.TryRecv(); err != ErrEmpty {
		return v, err
	}
	// Only a wait needs the guard: the sink takes one waiter at a time,
	// and a receive that does not wait is a TryRecv.
	r.reg.enter(panicConcurrentSlot)
	defer r.reg.exit()
	if err := r.sink.Wait(ctx, r.ready); err != nil {
		return 0, err
	}
	return r.got, r.gotErr
}

// Close hangs up: every TrySend that starts after it returns reports
// [ErrClosed]; a value already waiting can still be received, then
// receives report ErrClosed. It is [SlotSender.Close], from this end: any
// number of times, from any goroutine. It panics on a zero SlotReceiver.
func (r *SlotReceiver) Close() {
	r.check()
	r.st.close()
}
