// sync.Pool drops items at random under the race detector, so allocation
// counts are only meaningful without it.

//go:build !race

package oneshot_test

import (
	"context"
	"testing"

	"github.com/diatomic-go/diatomic/internal/testutil"
	"github.com/diatomic-go/diatomic/oneshot"
)

func TestAllocs(t *testing.T) {
	// The sink makes the channels escape, as they do in real use.
	if n := testing.AllocsPerRun(100, func() { _, oneshotSink = oneshot.New[int]() }); n != 1 {
		t.Errorf("New allocates %v times, want 1", n)
	}
	ctx := context.Background()
	if n := testing.AllocsPerRun(100, func() {
		tx, rx := oneshot.New[int]()
		oneshotSink = rx
		_ = tx.Send(1)
		_, _ = rx.Recv(ctx)
		_, _ = rx.Recv(cancelled)
		_, _ = rx.TryRecv()
		rx.Close()
	}); n != 1 {
		t.Errorf("New + Send + Recv allocates %v times, want 1", n)
	}

	// A Recv that parks: a helper goroutine sends only once the receiver is
	// registered, so every run parks and is woken.
	type pair struct {
		tx *oneshot.Sender[int]
		rx *oneshot.Receiver[int]
	}
	pairs := make(chan pair)
	helper := testutil.Go(t, func() {
		for p := range pairs {
			waitRegistered(t, p.rx)
			_ = p.tx.Send(1)
		}
	})
	defer func() { close(pairs); testutil.Recv(t, helper, "helper") }()
	parking := func() {
		tx, rx := oneshot.New[int]()
		pairs <- pair{tx, rx}
		if v, err := rx.Recv(ctx); v != 1 || err != nil {
			t.Errorf("Recv = (%d, %v)", v, err)
		}
	}
	parking() // fill the parker pool
	if n := testing.AllocsPerRun(100, parking); n != 1 {
		t.Errorf("New + parking Recv allocates %v times, want 1", n)
	}
}
