//go:build !race

// Two goroutines receiving at once read the queue's slots and the
// receiver's fields without synchronization: that is the misuse, and the
// race detector reports it as a data race, as it should. So this test runs
// without the race detector only; under it, TestConcurrentReceivePanics
// shows the panic deterministically.

package mpsc_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/diatomic-go/diatomic/internal/testutil"
	"github.com/diatomic-go/diatomic/mpsc"
)

// TestRacingReceivesPanic: two goroutines that receive from one channel at
// once, the mistake a user of chan makes first, get an "mpsc: concurrent
// receive" panic, never a duplicated, lost or zero value. Both keep
// receiving, recovering from the panics, until one has been seen; then the
// channel is drained by one receiver, and every value sent has been
// received exactly once.
//
// With one P, two receives overlap only where the scheduler preempts one in
// the middle of its call. A waiting receive is caught there at once (the
// other finds the busy guard), but a try-receive, which holds the
// receiver for a few instructions, is preempted inside them too rarely for
// a bounded test. So the try-receives race only with GOMAXPROCS 2 and more,
// where they truly run in parallel, as in internal/mpscq's
// TestConsumerRacePointerFree.
func TestRacingReceivesPanic(t *testing.T) {
	testutil.ForEachProcs(t, func(t *testing.T) {
		for _, c := range []int{1024, unbounded} {
			for _, m := range receives {
				if m.name == "All" {
					continue // Recv, step by step
				}
				if strings.HasPrefix(m.name, "Try") && runtime.GOMAXPROCS(0) == 1 {
					continue // see above
				}
				t.Run(fmt.Sprintf("cap=%d/%s", c, m.name), func(t *testing.T) {
					racingReceives(t, c, m.recv)
				})
			}
		}
	})
}

func racingReceives(t *testing.T, capacity int, recv func(context.Context, *mpsc.Receiver[int], []int) ([]int, error)) {
	const ahead = 4096
	ctx := timeout(t)
	s, r := newChan[int](capacity)
	sendCtx, stopSending := context.WithCancel(ctx)
	var sent, taken atomic.Int64
	sender := testutil.Go(t, func() {
		for v := 1; ; v++ {
			// Keep at most ahead values in the channel, so that an
			// unbounded one does not grow while the receivers race.
			for int64(v)-taken.Load() > ahead && sendCtx.Err() == nil {
				runtime.Gosched()
			}
			if sendCtx.Err() != nil {
				return // a Send with room would succeed regardless
			}
			if err := s.Send(sendCtx, v); err != nil {
				return // cancelled while waiting: v was not sent
			}
			sent.Store(int64(v))
		}
	})
	var panics atomic.Int64
	var stop atomic.Bool
	received := make([][]int, 2)
	var wg sync.WaitGroup
	defer func() {
		// On a failure, stop every goroutine before the next test runs:
		// the receivers first, while the sender still sends.
		stop.Store(true)
		wg.Wait()
		stopSending()
		<-sender
	}()
	for i := range received {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]int, 8)
			for !stop.Load() {
				func() {
					defer func() {
						if p := recover(); p != nil {
							if msg := fmt.Sprint(p); !strings.HasPrefix(msg, "mpsc: concurrent receive") {
								t.Errorf("racing receive panicked with %q", msg)
								stop.Store(true)
							}
							panics.Add(1)
						}
					}()
					vs, err := recv(ctx, r, buf)
					if err != nil && err != mpsc.ErrEmpty {
						t.Errorf("racing receive: %v", err)
						stop.Store(true)
					}
					received[i] = append(received[i], vs...)
					taken.Add(int64(len(vs)))
				}()
				// No yield: with one P, the receives overlap only when the
				// scheduler preempts one in the middle of a call.
			}
		}()
	}
	expired, stopTimer := testutil.Deadline()
	defer stopTimer()
	for panics.Load() == 0 && !stop.Load() {
		select {
		case <-expired:
			t.Fatalf("two goroutines received at once for %v without an \"mpsc: concurrent receive\" panic", testutil.Timeout)
		default:
			runtime.Gosched()
		}
	}
	// Stop the receivers while the sender still sends, so that none is
	// left parked, then the sender.
	stop.Store(true)
	waitGroup(t, &wg, "the racing receivers")
	stopSending()
	testutil.Recv(t, sender, "the sender")
	s.Close()
	var rest []int
	for {
		v, err := r.Recv(ctx)
		if err == mpsc.ErrClosed {
			break
		}
		if err != nil {
			t.Fatalf("draining after the panic: %v", err)
		}
		rest = append(rest, v)
	}

	n := int(sent.Load())
	count := make([]int, n+1)
	for _, vs := range append(received, rest) {
		for _, v := range vs {
			if v < 1 || v > n {
				t.Fatalf("received %d, never sent (sent 1..%d)", v, n)
			}
			count[v]++
		}
	}
	for v := 1; v <= n; v++ {
		if count[v] != 1 {
			t.Fatalf("value %d received %d times (sent 1..%d, %d panics)", v, count[v], n, panics.Load())
		}
	}
}
