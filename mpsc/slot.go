package mpsc

import (
	"context"
	"sync/atomic"

	"github.com/diatomic-go/diatomic/waker"
)

// The Slot: the capacity-1 channel of non-zero values from the diatomic-waker
// README (asynchronics/diatomic-waker). One atomic word holds the value, 0
// meaning empty; senders CAS 0 -> v and notify a WakeSink; the receiver takes
// the value and leaves 0, waiting on the sink while the word is 0.
//
// State word:
//
//	val: 0 (empty) or the value sent and not yet received
//
// Invariants:
//   - Only senders change val from 0, only receives change it to 0, and a
//     receive returns what its Swap returned: each value sent is received
//     once, even by receives that overlap (which is why TryRecv needs no
//     guard).
//   - Every successful TrySend notifies the sink after its CAS.
//   - reg.busy is 1 exactly while a Recv waits on the sink (see Recv), or a
//     Ready, Register or Unregister registers on it: the sink has one
//     registrant at a time (see select.go).

// NewSlot returns the two ends of a channel that holds at most one non-zero
// uint64: a TrySend fails while a value is waiting, and Recv waits for one.
// Nothing allocates after NewSlot, and a TrySend with the receiver not
// waiting costs one CAS and one atomic load.
//
// A successful TrySend synchronizes before the Recv or TryRecv that returns
// its value.
func NewSlot() (*SlotSender, *SlotReceiver) {
	val := new(atomic.Uint64)
	sink := waker.NewWakeSink()
	r := &SlotReceiver{val: val, sink: sink}
	r.ready = r.poll
	return &SlotSender{val: val, wake: sink.Source()}, r
}

// A SlotSender is the sending end of a Slot. Any number of goroutines may
// use it concurrently.
type SlotSender struct {
	val  *atomic.Uint64
	wake waker.WakeSource
}

// TrySend stores v if the slot is empty and reports whether it did. It
// panics if v is 0, which stands for "empty", and on a zero SlotSender.
func (s *SlotSender) TrySend(v uint64) bool {
	if v == 0 {
		panic("mpsc: SlotSender.TrySend called with 0")
	}
	if s.val == nil {
		panic(panicZeroSlotSender)
	}
	// The CAS publishes v: it synchronizes before the receiver's load that
	// sees it. Notify comes after, so a waiting receiver's re-check sees v.
	if !s.val.CompareAndSwap(0, v) {
		return false
	}
	s.wake.Wake()
	return true
}

// A SlotReceiver is the receiving end of a Slot. Recv, Ready, Register and
// Unregister must be called from one goroutine at a time: a Recv that would
// wait while another Recv waits panics, before it touches the slot, and so
// do Ready, Register and Unregister while a Recv waits. A TryRecv that overlaps another
// receive is harmless: each value goes to exactly one of them. A
// SlotReceiver must not be copied.
type SlotReceiver struct {
	_     noCopy
	val   *atomic.Uint64
	sink  *waker.WakeSink
	ready func() bool // r.poll, bound once
	got   uint64      // poll's result
	reg   registrant  // the guard of Recv's wait and of registrations, and Ready's waker (see select.go)
}

const (
	panicZeroSlotSender   = "mpsc: use of a zero SlotSender: make slots with NewSlot"
	panicZeroSlotReceiver = "mpsc: use of a zero SlotReceiver: make slots with NewSlot"
	panicConcurrentSlot   = "mpsc: concurrent receive: a SlotReceiver's Recv, Ready, Register and Unregister must be called from one goroutine at a time"
)

// TryRecv takes the value if one is waiting, leaving the slot empty. It
// panics on a zero SlotReceiver.
func (r *SlotReceiver) TryRecv() (uint64, bool) {
	r.check()
	// A load first, so that polling an empty slot writes nothing. The Swap
	// returns 0 only if an overlapping receive took the value meanwhile.
	if r.val.Load() == 0 {
		return 0, false
	}
	v := r.val.Swap(0)
	return v, v != 0
}

// check panics on a zero SlotReceiver.
func (r *SlotReceiver) check() {
	if r.val == nil {
		panic(panicZeroSlotReceiver)
	}
}

func (r *SlotReceiver) poll() bool {
	r.got, _ = r.TryRecv()
	return r.got != 0
}

// Recv takes the value, waiting until there is one or ctx ends. On
// cancellation it returns ctx.Err() and the slot is left as it was; a value
// already waiting is returned even if ctx is done. It panics if ctx is nil,
// on a zero SlotReceiver, and if it would wait while another Recv waits,
// before it touches the slot.
func (r *SlotReceiver) Recv(ctx context.Context) (uint64, error) {
	checkContext(ctx)
	if v, ok := r.TryRecv(); ok {
		return v, nil
	}
	// Only a wait needs the guard: the sink takes one waiter at a time,
	// and a receive that does not wait is a TryRecv.
	r.reg.enter(panicConcurrentSlot)
	defer r.reg.exit()
	if err := r.sink.Wait(ctx, r.ready); err != nil {
		return 0, err
	}
	return r.got, nil
}
