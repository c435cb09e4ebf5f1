// The race detector's instrumentation makes allocation counts meaningless.

//go:build !race

package oneshot_test

import (
	"testing"

	"github.com/diatomic-go/diatomic/internal/testutil"
	"github.com/diatomic-go/diatomic/oneshot"
)

func TestAllocs(t *testing.T) {
	// The sink makes the channels escape, as they do in real use.
	if n := testing.AllocsPerRun(100, func() { _, oneshotSink = oneshot.New[int]() }); n != 1 {
		t.Errorf("New allocates %v times, want 1", n)
	}
	ctx := testutil.Context(t) // made once: it allocates
	if n := testing.AllocsPerRun(100, func() {
		tx, rx := oneshot.New[int]()
		oneshotSink = rx
		_ = tx.Send(1)
		_ = rx.Ready() // settled: no registration
		_, _ = rx.Recv(ctx)
		_, _ = rx.Recv(cancelled)
		_, _ = rx.TryRecv()
		_ = rx.Ready()
		rx.Close()
		_ = tx.Done() // the receiver hung up: nothing to make
		_ = tx.Closed()
	}); n != 1 {
		t.Errorf("New + Send + Recv + Ready + Done allocates %v times, want 1", n)
	}

	// Ready that registers makes the channel of the receiver's parker once
	// (two allocations: the channel and the word that publishes it); every
	// later Ready, and a Recv whose ctx ends, reuses it. Done makes its
	// channel once.
	if n := testing.AllocsPerRun(100, func() {
		tx, rx := oneshot.New[int]()
		oneshotSink = rx
		for range 10 {
			_ = rx.Ready()
		}
		_, _ = rx.Recv(cancelled)
		for range 10 {
			_ = tx.Done()
		}
		_ = tx.Send(1)
		<-rx.Ready()
		_, _ = rx.TryRecv()
		rx.Close()
		<-tx.Done()
	}); n != 4 {
		t.Errorf("New + 10 Ready + 10 Done allocates %v times, want 4 (New, the parker's channel, the Done channel)", n)
	}
	w := new(countWaker)
	if n := testing.AllocsPerRun(100, func() {
		tx, rx := oneshot.New[int]()
		oneshotSink = rx
		rx.Register(w)
		rx.Unregister()
		rx.Register(w)
		_ = tx.Send(1)
		rx.Register(w)
	}); n != 1 {
		t.Errorf("New + Register + Unregister allocates %v times, want 1", n)
	}

	// A Recv that parks: a helper goroutine receives, and the test sends only
	// once the helper's Recv is registered, so every run parks and is woken.
	// The test goroutine itself never waits without a bound: a Recv that is
	// not woken fails the test instead of hanging it.
	rxs := make(chan *oneshot.Receiver[int])
	results := make(chan result)
	helper := testutil.Go(t, func() {
		for rx := range rxs {
			v, err := rx.Recv(ctx)
			results <- result{v, err}
		}
	})
	expired, stop := testutil.Deadline()
	defer stop()
	defer func() {
		close(rxs)
		if !t.Failed() {
			testutil.Recv(t, helper, "the receiving helper")
		}
	}()
	parking := func() {
		tx, rx := oneshot.New[int]()
		select {
		case rxs <- rx:
		case <-expired:
			t.Fatal("the receiving helper is stuck")
		}
		waitRegistered(t, rx)
		if err := tx.Send(1); err != nil {
			t.Fatalf("Send = %v", err)
		}
		select {
		case r := <-results:
			if r.v != 1 || r.err != nil {
				t.Fatalf("parking Recv = %v", r)
			}
		case <-expired:
			t.Fatal("the parked Recv was not woken by Send")
		}
	}
	// The parker makes its channel (two allocations) only if the Recv
	// really blocks, not when the Send comes while it yields.
	if n := testing.AllocsPerRun(100, parking); n < 1 || n > 3 {
		t.Errorf("New + parking Recv allocates %v times, want 1 to 3 (New, the parker's channel when it blocks)", n)
	}
}
