package notify_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/diatomic-go/diatomic/internal/testutil"
	"github.com/diatomic-go/diatomic/notify"
)

// waitRegistered spins until k handles are registered on n, failing the
// test after testutil.Timeout.
func waitRegistered(t testing.TB, n *notify.Notify, k int) {
	deadline := time.Now().Add(testutil.Timeout)
	for notify.Registered(n) < k {
		if time.Now().After(deadline) {
			t.Errorf("%d waiters did not register within %v", k, testutil.Timeout)
			return
		}
		runtime.Gosched()
	}
}

func iterations(n int) int {
	if testing.Short() {
		return n / 10
	}
	return n
}

// TestCancelRacesNotifyOne races a waiter's cancellation with the NotifyOne
// that chooses it (tokio #4618 under real concurrency): the notification
// reaches exactly one of the cancelled waiter and the handle registered after
// it, and no permit is left over.
func TestCancelRacesNotifyOne(t *testing.T) {
	testutil.ForEachProcs(t, func(t *testing.T) {
		for i := range iterations(5000) {
			var n notify.Notify
			ctx, cancel := context.WithCancel(context.Background())
			first := make(chan error, 1)
			go func() { first <- n.Wait(ctx) }()
			waitRegistered(t, &n, 1)
			second := n.Notified()
			notified := testutil.Go(t, n.NotifyOne)
			if i%2 == 0 {
				runtime.Gosched()
			}
			cancel()
			err := testutil.Recv(t, first, "the first waiter")
			testutil.Recv(t, notified, "NotifyOne")
			if err != nil && !errors.Is(err, context.Canceled) {
				t.Fatalf("Wait = %v", err)
			}
			if got := notify.Chosen(second); got == (err == nil) {
				t.Fatalf("first waiter got %v, second chosen %v: want exactly one notified", err, got)
			}
			second.Cancel()
			if err == nil {
				wantPermit(t, &n, false)
			} else {
				wantPermit(t, &n, true) // passed on by second.Cancel
			}
		}
	})
}

// hammer runs producers that each add ops tokens and call NotifyOne or
// NotifyLast, and consumers that take tokens and wait when there are none,
// some through Notify.Wait and some through Notified handles, with contexts
// that producers cancel at random. Every token must be taken: a notification
// lost to a cancelled waiter strands tokens and fails the test after
// testutil.Timeout. At the end NotifyAll releases the consumers.
func hammer(t *testing.T, producers, consumers, ops int) {
	var (
		n        notify.Notify
		tokens   atomic.Int64
		taken    atomic.Int64
		waits    atomic.Int64
		done     atomic.Bool
		cancels  = make([]atomic.Pointer[context.CancelFunc], consumers)
		wg       sync.WaitGroup
		deadline = time.Now().Add(testutil.Timeout)
	)
	take := func() bool {
		for {
			k := tokens.Load()
			if k == 0 {
				return false
			}
			if tokens.CompareAndSwap(k, k-1) {
				taken.Add(1)
				return true
			}
		}
	}
	for c := range consumers {
		wg.Go(func() {
			for !done.Load() {
				if take() {
					continue
				}
				ctx, cancel := context.WithDeadline(context.Background(), deadline)
				cancels[c].Store(&cancel)
				var err error
				if c%2 == 0 {
					err = n.Wait(ctx)
				} else {
					h := n.Notified()
					if tokens.Load() > 0 || done.Load() {
						h.Cancel()
					} else {
						err = h.Wait(ctx)
					}
				}
				cancel()
				waits.Add(1)
				if errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("consumer %d: no notification within %v (%d of %d tokens taken)",
						c, testutil.Timeout, taken.Load(), producers*ops)
					return
				}
			}
		})
	}
	var pwg sync.WaitGroup
	for p := range producers {
		pwg.Go(func() {
			for i := range ops {
				tokens.Add(1)
				if i%2 == p%2 {
					n.NotifyOne()
				} else {
					n.NotifyLast()
				}
				if i%3 == 0 {
					if cancel := cancels[(i+p)%consumers].Load(); cancel != nil {
						(*cancel)()
					}
				}
				runtime.Gosched() // let the consumers run dry and wait
			}
		})
	}
	pwg.Wait()
	for taken.Load() < int64(producers*ops) && time.Now().Before(deadline) {
		runtime.Gosched()
	}
	done.Store(true)
	n.NotifyAll() // wakes the consumers registered; the others see done
	n.NotifyOne() // and one Notify.Wait that had not registered yet
	released := make(chan struct{})
	go func() { wg.Wait(); close(released) }()
	for {
		select {
		case <-released:
			if got, want := taken.Load(), int64(producers*ops); got != want {
				t.Fatalf("%d tokens taken, want %d", got, want)
			}
			check(t, &n)
			t.Logf("%d waits", waits.Load())
			return
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("consumers still waiting after %v", testutil.Timeout)
		}
		n.NotifyOne() // a Notify.Wait between its done check and registering
		runtime.Gosched()
	}
}

func TestStress(t *testing.T) {
	testutil.ForEachProcs(t, func(t *testing.T) {
		hammer(t, 2, 4, iterations(20000))
	})
}
