package eventcount_test

import (
	"context"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/diatomic-go/diatomic/eventcount"
	"github.com/diatomic-go/diatomic/internal/testutil"
)

// TestStressProducersConsumers: producers add items to a lock-free counter
// and notify; consumers take them. Some consumers run under contexts that
// producers cancel right after notifying, which is when a cancelled waiter
// is most likely to have just been chosen; a cancelled consumer gives up
// for the round. Every round must end with every item consumed by the
// remaining consumers: a notification lost through a cancellation, or any
// other lost wake-up, leaves an item behind and a consumer asleep, and the
// bounded wait fails the test.
func TestStressProducersConsumers(t *testing.T) {
	// Few items per round and many rounds: a notification lost through a
	// cancellation is only visible when no later one covers it, near the
	// end of a round.
	rounds, perProducer := 3000, 4
	if testing.Short() {
		rounds = 200
	}
	testutil.ForEachProcs(t, func(t *testing.T) {
		for _, c := range []struct{ producers, steady, flaky int }{
			{1, 1, 1}, {2, 1, 3}, {4, 2, 4}, {2, 1, 8},
		} {
			hammerEventCount(t, c.producers, c.steady, c.flaky, rounds, perProducer)
		}
	})
}

func hammerEventCount(t *testing.T, producers, steady, flaky, rounds, perProducer int) {
	t.Helper()
	var ec eventcount.EventCount
	for round := range rounds {
		total := int64(producers * perProducer)
		var items, consumed, produced atomic.Int64
		var over atomic.Bool
		allConsumed := make(chan struct{})
		consume := func() {
			if consumed.Add(1) == total {
				close(allConsumed)
			}
		}
		ready := func() bool { return over.Load() || takeOne(&items) }

		var consumers sync.WaitGroup
		steadyCtx, cancelSteady := context.WithTimeout(context.Background(), testutil.Timeout)
		defer cancelSteady()
		for range steady {
			consumers.Go(func() {
				for {
					if err := ec.Wait(steadyCtx, ready); err != nil {
						t.Errorf("steady consumer: Wait = %v: a wake-up was lost", err)
						return
					}
					if over.Load() {
						return
					}
					consume()
				}
			})
		}
		cancels := make([]context.CancelFunc, flaky)
		for i := range flaky {
			ctx, cancel := context.WithCancel(context.Background())
			cancels[i] = cancel
			ctx = yieldingErr{ctx}
			consumers.Go(func() {
				for ec.Wait(ctx, ready) == nil && !over.Load() {
					consume()
				}
			})
		}

		var producing sync.WaitGroup
		for p := range producers {
			producing.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(round), uint64(p)))
				for range perProducer {
					// Cancel first, and yield a little: the consumer wakes
					// on its ctx while the NotifyOne below may choose it.
					if rng.IntN(2) == 0 {
						cancels[rng.IntN(flaky)]()
						for range rng.IntN(3) {
							runtime.Gosched()
						}
					}
					items.Add(1)
					produced.Add(1)
					if rng.IntN(8) == 0 {
						ec.NotifyAll()
					} else {
						ec.NotifyOne()
					}
				}
			})
		}
		producing.Wait()
		expired, stop := testutil.Deadline()
		select {
		case <-allConsumed:
			stop()
		case <-expired:
			t.Fatalf("round %d: %d of %d items consumed, %d left, Waiters()=%d: a wake-up was lost",
				round, consumed.Load(), total, items.Load(), ec.Waiters())
		}
		over.Store(true)
		ec.NotifyAll()
		testutil.Recv(t, waitGroupDone(&consumers), "the consumers to stop")
		for _, cancel := range cancels {
			cancel()
		}
		if n := items.Load(); n != 0 || consumed.Load() != produced.Load() {
			t.Fatalf("round %d: %d items left, %d consumed of %d", round, n, consumed.Load(), produced.Load())
		}
		if w := ec.Waiters(); w != 0 {
			t.Fatalf("round %d: Waiters() = %d after everyone left", round, w)
		}
		if err := ec.CheckInvariants(); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
}

func waitGroupDone(wg *sync.WaitGroup) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	return done
}

// yieldingErr yields in Err, which Commit calls after its Park saw ctx done
// and before it takes itself out of the queue: that widens the window in
// which a NotifyOne chooses a waiter that is already leaving.
type yieldingErr struct{ context.Context }

func (c yieldingErr) Err() error {
	runtime.Gosched()
	return c.Context.Err()
}
