package mpmc_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/diatomic-go/diatomic/internal/testutil"
	"github.com/diatomic-go/diatomic/mpmc"
)

// alwaysReady is a select case that is always ready: a Ready select that
// offers it sometimes takes it instead of the channel's wake-up.
var alwaysReady = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// hammer runs producers senders and consumers receivers, each on its own
// clone, and checks conservation: every value whose send returned nil is
// received exactly once, each consumer sees each sender's values in order,
// and no value stays in the channel while the receivers wait.
//
// Senders mix Send, TrySend (retrying ErrFull after a yield) and Sends whose
// context a sibling cancels at a random moment. Receivers mix Recv,
// RecvBatch, Recvs with such contexts, and TryRecv loops that wait in a
// select on Ready beside a case that is sometimes ready too (the select then
// may take it, and the wake-up with it). Once the senders are done, every
// value must be received while the channel is still open: a wake-up lost
// anywhere leaves a value behind with the receivers asleep, and the bounded
// wait for the count fails. Then the last Sender.Close ends the receivers.
func hammer(t *testing.T, capacity, producers, consumers, ops int) {
	t.Helper()
	ctx := testutil.Context(t)
	tx, rx := mpmc.New[uint64](capacity)
	sent := make([]uint64, producers)
	var total, received atomic.Int64
	var senders sync.WaitGroup
	for p := range producers {
		s := tx.Clone()
		senders.Go(func() {
			defer s.Close()
			rng := rand.New(rand.NewPCG(uint64(p), uint64(ops)))
			for sent[p] < uint64(ops) {
				v := uint64(p)<<32 | sent[p]
				var err error
				switch rng.IntN(8) {
				case 0:
					for err = s.TrySend(v); err == mpmc.ErrFull; err = s.TrySend(v) {
						if ctx.Err() != nil {
							t.Errorf("sender %d: TrySend found the channel full until the timeout", p)
							return
						}
						runtime.Gosched()
					}
				case 1:
					sctx, cancel := testutil.CancelSoon(ctx)
					err = s.Send(sctx, v)
					cancel()
					if errors.Is(err, context.Canceled) {
						continue // not sent: send it again
					}
				default:
					err = s.Send(ctx, v)
				}
				if err != nil {
					t.Errorf("sender %d: %v", p, err)
					return
				}
				sent[p]++
				total.Add(1)
			}
		})
	}

	got := make([][]uint64, consumers)
	var receivers sync.WaitGroup
	for k := range consumers {
		r := rx.Clone()
		receivers.Go(func() {
			defer r.Close()
			rng := rand.New(rand.NewPCG(uint64(k), uint64(producers)))
			buf := make([]uint64, 1+rng.IntN(8))
			take := func(vs []uint64) {
				got[k] = append(got[k], vs...)
				received.Add(int64(len(vs)))
			}
			for {
				var err error
				switch rng.IntN(5) {
				case 0:
					var v uint64
					if v, err = r.Recv(ctx); err == nil {
						take([]uint64{v})
					}
				case 1:
					var n int
					n, err = r.RecvBatch(ctx, buf)
					take(buf[:n])
				case 2: // a Recv whose context ends at a random moment
					rctx, cancel := testutil.CancelSoon(ctx)
					var v uint64
					v, err = r.Recv(rctx)
					cancel()
					if err == nil {
						take([]uint64{v})
					} else if errors.Is(err, context.Canceled) {
						err = nil
					}
				default: // TryRecv, then a select on Ready
					var v uint64
					if v, err = r.TryRecv(); err == nil {
						take([]uint64{v})
						continue
					}
					if err != mpmc.ErrEmpty {
						break
					}
					err = nil
					other := make(chan struct{})
					if rng.IntN(3) == 0 {
						other = alwaysReady
					}
					select {
					case <-r.Ready():
					case <-other:
					case <-ctx.Done():
						err = ctx.Err()
					}
				}
				if err == mpmc.ErrClosed {
					return
				}
				if err != nil {
					t.Errorf("receiver %d after %d values: %v", k, len(got[k]), err)
					return
				}
			}
		})
	}
	// tx stays open until every value is received, so that no Close
	// wakes a receiver that a lost wake-up left asleep.
	testutil.Wait(t, &senders, "senders")
	deadline := time.Now().Add(testutil.Timeout)
	for received.Load() != total.Load() {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d values received: values left with the receivers asleep", received.Load(), total.Load())
		}
		runtime.Gosched()
	}
	tx.Close()
	testutil.Wait(t, &receivers, "receivers")
	rx.Close()

	seen := make([]uint64, producers)
	for k := range got {
		last := make([]int64, producers)
		for p := range last {
			last[p] = -1
		}
		for _, v := range got[k] {
			p, i := v>>32, int64(v&(1<<32-1))
			if i <= last[p] {
				t.Fatalf("receiver %d: value %d of sender %d after %d", k, i, p, last[p])
			}
			last[p] = i
			seen[p]++
		}
	}
	for p := range producers {
		if seen[p] != sent[p] || sent[p] != uint64(ops) {
			t.Fatalf("sender %d: %d sent, %d received, want %d", p, sent[p], seen[p], ops)
		}
	}
}

// TestStress: conservation at GOMAXPROCS 1, 2, 4, 8 with 1 to 64 senders
// and 1 to 16 receivers, on a channel of capacity 1 (every send waits for a
// receive) and 8.
func TestStress(t *testing.T) {
	total := 6000
	if testing.Short() {
		total = 1200
	}
	testutil.ForEachProcs(t, func(t *testing.T) {
		for _, c := range []int{1, 8} {
			for _, pc := range [][2]int{{1, 1}, {1, 4}, {4, 1}, {4, 4}, {16, 16}, {64, 4}, {64, 16}} {
				t.Run(fmt.Sprintf("cap=%d/producers=%d/consumers=%d", c, pc[0], pc[1]), func(t *testing.T) {
					hammer(t, c, pc[0], pc[1], max(total/pc[0], 20))
				})
			}
		}
	})
}
