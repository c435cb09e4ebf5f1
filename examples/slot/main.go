// Command slot builds the capacity-1 channel of non-zero values from the
// diatomic-waker README out of a waker.WakeSink: senders compare-and-swap
// the value into one atomic word and notify; the receiver waits until it can
// swap a non-zero value out. Nothing allocates after the channel is made, and
// a send with the receiver not waiting costs a CAS and one atomic load.
//
// Package mpsc offers the same channel ready-made, with a close from either
// end, as mpsc.NewSlot; the end of run shows it.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/diatomic-go/diatomic/mpsc"
	"github.com/diatomic-go/diatomic/waker"
)

// Sender is the sending side of the channel; any number of goroutines may
// share it.
type Sender struct {
	src   waker.WakeSource
	value *atomic.Uint64
}

// Receiver is the receiving side; one goroutine at a time may use it.
type Receiver struct {
	sink  *waker.WakeSink
	value *atomic.Uint64
	take  func() (uint64, bool) // bound once, so that Recv allocates nothing
}

// channel creates an empty channel.
func channel() (Sender, *Receiver) {
	value := new(atomic.Uint64)
	sink := waker.NewWakeSink()
	r := &Receiver{sink: sink, value: value}
	r.take = func() (uint64, bool) {
		v := r.value.Swap(0) // 0 means empty
		return v, v != 0
	}
	return Sender{src: sink.Source(), value: value}, r
}

// errFull is TrySend's error while a value is waiting.
var errFull = errors.New("slot: full")

// TrySend stores v if the channel is empty; it returns errFull if a value
// is waiting.
func (s Sender) TrySend(v uint64) error {
	if v == 0 {
		panic("slot: 0 cannot be sent, it means empty")
	}
	// The CAS makes v visible to the receiver's Swap; Notify after it, so
	// that a receiver that registered before the CAS is woken and sees v.
	if !s.value.CompareAndSwap(0, v) {
		return errFull
	}
	s.src.Wake()
	return nil
}

// Recv waits for a value, or for ctx to end.
func (r *Receiver) Recv(ctx context.Context) (uint64, error) {
	return waker.WaitUntil(ctx, r.sink, r.take)
}

func main() {
	if err := run(os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(w io.Writer) error {
	ctx := context.Background()
	tx, rx := channel()

	fmt.Fprintln(w, "TrySend(7):", tx.TrySend(7))
	fmt.Fprintln(w, "TrySend(8):", tx.TrySend(8))
	v, err := rx.Recv(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "Recv:", v)

	// Recv takes a context: on an empty slot it gives up when ctx ends, and
	// leaves nothing registered behind.
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	_, err = rx.Recv(short)
	cancel()
	fmt.Fprintln(w, "Recv on the empty slot, 10ms timeout:", err)

	// Three senders race for the slot. A TrySend that finds it full fails
	// at once; here each sender yields and tries again until its value is in.
	var wg sync.WaitGroup
	for _, v := range []uint64{100, 200, 300} {
		wg.Go(func() {
			for tx.TrySend(v) != nil {
				runtime.Gosched()
			}
		})
	}
	var got []uint64
	for range 3 {
		v, err := rx.Recv(ctx)
		if err != nil {
			return err
		}
		got = append(got, v)
	}
	wg.Wait()
	slices.Sort(got)
	fmt.Fprintln(w, "received from three racing senders:", got)

	// mpsc.NewSlot is this channel with a close: the value waiting when
	// the slot closes is still received, then Recv reports ErrClosed, and
	// so does TrySend.
	mtx, mrx := mpsc.NewSlot()
	mtx.TrySend(9)
	mtx.Close()
	fmt.Fprintln(w, "mpsc slot, closed: TrySend(10):", mtx.TrySend(10))
	v, err = mrx.Recv(ctx)
	fmt.Fprintln(w, "mpsc slot, closed: Recv:", v, err)
	_, err = mrx.Recv(ctx)
	fmt.Fprintln(w, "mpsc slot, closed: Recv:", err)
	return nil
}
