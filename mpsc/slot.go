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
//   - Only senders change val from 0, only the receiver changes it to 0, so
//     the receiver's Swap after a non-zero Load returns that same value.
//   - Every successful TrySend notifies the sink after its CAS.

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
// panics if v is 0, which stands for "empty".
func (s *SlotSender) TrySend(v uint64) bool {
	if v == 0 {
		panic("mpsc: SlotSender.TrySend called with 0")
	}
	// The CAS publishes v: it synchronizes before the receiver's load that
	// sees it. Notify comes after, so a waiting receiver's re-check sees v.
	if !s.val.CompareAndSwap(0, v) {
		return false
	}
	s.wake.Notify()
	return true
}

// A SlotReceiver is the receiving end of a Slot. Its methods must be called
// from one goroutine at a time.
type SlotReceiver struct {
	val   *atomic.Uint64
	sink  *waker.WakeSink
	ready func() bool // r.poll, bound once
	got   uint64      // poll's result
}

// TryRecv takes the value if one is waiting, leaving the slot empty.
func (r *SlotReceiver) TryRecv() (uint64, bool) {
	// A load first, so that polling an empty slot writes nothing.
	if r.val.Load() == 0 {
		return 0, false
	}
	return r.val.Swap(0), true
}

func (r *SlotReceiver) poll() bool {
	r.got, _ = r.TryRecv()
	return r.got != 0
}

// Recv takes the value, waiting until there is one or ctx ends. On
// cancellation it returns ctx.Err() and the slot is left as it was; a value
// already waiting is returned even if ctx is done.
func (r *SlotReceiver) Recv(ctx context.Context) (uint64, error) {
	if v, ok := r.TryRecv(); ok {
		return v, nil
	}
	if err := r.sink.Wait(ctx, r.ready); err != nil {
		return 0, err
	}
	return r.got, nil
}
