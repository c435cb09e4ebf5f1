package oneshot_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/diatomic-go/diatomic/internal/testutil"
	"github.com/diatomic-go/diatomic/oneshot"
)

// hammer runs workers receivers, each creating ops channels whose senders
// act in other goroutines: some send, some close, some cancel the receiver's
// context just before sending, and some receivers hang up. It checks that
// every value sent to a receiver that stayed is received exactly once, that
// a closed sender is reported, and that no Recv stays parked (a lost wake-up
// fails the Recv after testutil.Timeout).
func hammer(t *testing.T, workers, ops int) {
	type job struct {
		tx     *oneshot.Sender[int]
		cancel context.CancelFunc
		i      int
	}
	jobs := make(chan job, workers)
	var sent, received atomic.Int64
	var senders sync.WaitGroup
	for range workers {
		senders.Go(func() {
			for j := range jobs {
				switch j.i % 4 {
				case 0: // the receiver's ctx ends as the value arrives
					j.cancel()
					fallthrough
				case 1:
					if err := j.tx.Send(j.i); err != nil {
						t.Errorf("Send(%d) = %v", j.i, err)
					}
					sent.Add(int64(j.i))
				case 2:
					j.tx.Close()
				case 3: // the receiver hangs up: either outcome is fine
					if err := j.tx.Send(j.i); err != nil && !errors.Is(err, oneshot.ErrClosed) {
						t.Errorf("Send(%d) to a closing receiver = %v", j.i, err)
					}
				}
			}
		})
	}
	var receivers sync.WaitGroup
	for w := range workers {
		receivers.Go(func() {
			for k := range ops {
				if t.Failed() {
					return // each lost wake-up would cost testutil.Timeout
				}
				i := w*ops + k
				tx, rx := oneshot.New[int]()
				// Every Recv is bounded: a lost wake-up fails it.
				ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
				jobs <- job{tx, cancel, i}
				if i%4 == 3 {
					rx.Close()
					cancel()
					continue
				}
				v, err := rx.Recv(ctx)
				if errors.Is(err, context.Canceled) {
					bounded, stop := context.WithTimeout(context.Background(), testutil.Timeout)
					v, err = rx.Recv(bounded)
					stop()
				}
				cancel()
				switch {
				case i%4 == 2 && errors.Is(err, oneshot.ErrClosed):
				case i%4 != 2 && err == nil && v == i:
					received.Add(int64(v))
				default:
					t.Errorf("channel %d: Recv = (%d, %v)", i, v, err)
				}
			}
		})
	}
	testutil.Recv(t, testutil.Go(t, receivers.Wait), "the receivers (a Recv never woken)")
	close(jobs)
	testutil.Recv(t, testutil.Go(t, senders.Wait), "the senders")
	if s, r := sent.Load(), received.Load(); s != r {
		t.Fatalf("sum of values sent %d, received %d", s, r)
	}
}

func TestStress(t *testing.T) {
	ops := 20000
	if testing.Short() {
		ops = 2000
	}
	testutil.ForEachProcs(t, func(t *testing.T) { hammer(t, 4, ops) })
}
