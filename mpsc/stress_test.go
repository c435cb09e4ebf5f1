package mpsc_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"github.com/diatomic-go/diatomic/internal/testutil"
	"github.com/diatomic-go/diatomic/mpsc"
)

// hammerChan runs producers senders, each on its own clone, sending ops
// values tagged with its id, against one receiver, and checks conservation:
// every value whose send returned nil is received exactly once, in each
// sender's order, and no other value is.
//
// Senders mix Send and TrySend (retrying ErrFull after a yield), and some of
// their Sends use contexts that a sibling cancels at a random moment, so
// cancellations land during waits. The receiver mixes Recv, RecvBatch and
// TryRecv, and some of its Recvs too use contexts cancelled concurrently.
// With receiverCloses, the receiver closes the channel after taking
// a third of the values, and senders stop at their first ErrClosed;
// otherwise every sender closes its handle when done and the receiver reads
// until ErrClosed.
func hammerChan(t *testing.T, capacity, producers, ops int, receiverCloses bool) {
	t.Helper()
	ctx := timeout(t)
	s, r := newChan[uint64](capacity)
	sent := make([]uint64, producers) // values each sender got nil for
	var wg sync.WaitGroup
	for p := range producers {
		c := s.Clone()
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			rng := rand.New(rand.NewPCG(uint64(p), uint64(ops)))
			for sent[p] < uint64(ops) {
				v := uint64(p)<<32 | sent[p]
				var err error
				switch rng.IntN(8) {
				case 0: // TrySend until it is not ErrFull
					for err = c.TrySend(v); err == mpsc.ErrFull; err = c.TrySend(v) {
						if ctx.Err() != nil {
							return
						}
						runtime.Gosched()
					}
				case 1: // Send with a context cancelled concurrently
					sctx, cancel := testutil.CancelSoon(ctx)
					err = c.Send(sctx, v)
					cancel()
					if errors.Is(err, context.Canceled) {
						continue // not sent: send the same value again
					}
				default:
					err = c.Send(ctx, v)
				}
				if err == mpsc.ErrClosed && receiverCloses {
					return
				}
				if err != nil {
					t.Errorf("sender %d: %v", p, err)
					return
				}
				sent[p]++
			}
		}()
	}
	s.Close()

	next := make([]uint64, producers) // next value expected from each sender
	rng := rand.New(rand.NewPCG(uint64(producers), uint64(capacity)))
	buf := make([]uint64, 16)
	got, closeAt := 0, producers*ops/3
	check := func(vals []uint64) {
		for _, v := range vals {
			p, i := v>>32, v&(1<<32-1)
			if i != next[p] {
				t.Fatalf("sender %d: received value %d, want %d", p, i, next[p])
			}
			next[p]++
		}
		got += len(vals)
	}
	for {
		if receiverCloses && got >= closeAt {
			r.Close()
		}
		var err error
		switch rng.IntN(4) {
		case 0:
			var v uint64
			if v, err = r.Recv(ctx); err == nil {
				check([]uint64{v})
			}
		case 3: // Recv with a context cancelled concurrently: a value
			// that arrives as it ends must still be received, by it or later
			rctx, cancel := testutil.CancelSoon(ctx)
			var v uint64
			v, err = r.Recv(rctx)
			cancel()
			if err == nil {
				check([]uint64{v})
			} else if errors.Is(err, context.Canceled) && ctx.Err() == nil {
				err = nil
			}
		case 1:
			var n int
			n, err = r.RecvBatch(ctx, buf[:1+rng.IntN(len(buf))])
			check(buf[:n])
		default:
			var v uint64
			if v, err = r.TryRecv(); err == nil {
				check([]uint64{v})
			} else if err == mpsc.ErrEmpty {
				err = nil
				runtime.Gosched()
			}
		}
		if err == mpsc.ErrClosed {
			break
		}
		if err != nil {
			t.Fatalf("receiver after %d values: %v", got, err)
		}
	}
	testutil.Wait(t, &wg, "senders")
	for p := range producers {
		if next[p] != sent[p] {
			t.Fatalf("sender %d: %d sends returned nil, %d values received", p, sent[p], next[p])
		}
		if !receiverCloses && sent[p] != uint64(ops) {
			t.Fatalf("sender %d: sent %d of %d", p, sent[p], ops)
		}
	}
}

// TestStress: conservation and per-sender FIFO at GOMAXPROCS 1, 2, 4, 8
// with 1, 4, 16 and 64 senders, for small bounded channels (senders block
// often) and the unbounded one, closed by the senders or by the receiver.
func TestStress(t *testing.T) {
	total := 20000
	if testing.Short() {
		total = 2000
	}
	testutil.ForEachProcs(t, func(t *testing.T) {
		for _, c := range []int{1, 8, unbounded} {
			for _, producers := range []int{1, 4, 16, 64} {
				for _, rc := range []bool{false, true} {
					t.Run(fmt.Sprintf("cap=%d/producers=%d/receiverCloses=%v", c, producers, rc), func(t *testing.T) {
						hammerChan(t, c, producers, max(total/producers, 20), rc)
					})
				}
			}
		}
	})
}
