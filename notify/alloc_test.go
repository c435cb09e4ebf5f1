// sync.Pool drops items at random under the race detector, so allocation
// counts are only meaningful without it.

//go:build !race

package notify_test

import (
	"context"
	"testing"

	"github.com/diatomic-go/diatomic/internal/testutil"
	"github.com/diatomic-go/diatomic/notify"
)

func TestAllocs(t *testing.T) {
	var n notify.Notify
	ctx := context.Background()
	for name, f := range map[string]func(){
		"NotifyOne+Wait":        func() { n.NotifyOne(); _ = n.Wait(ctx) },
		"NotifyOne with permit": n.NotifyOne,
		"NotifyAll, nobody":     n.NotifyAll,
		"Notified+Cancel":       func() { n.Notified().Cancel() },
		"Notified+NotifyAll+Wait": func() {
			h := n.Notified()
			n.NotifyAll()
			_ = h.Wait(ctx)
		},
	} {
		f() // fill the pool
		if a := testing.AllocsPerRun(100, f); a != 0 {
			t.Errorf("%s allocates %v times per run", name, a)
		}
	}
	_ = n.Wait(cancelled)

	// A Wait that parks: the helper notifies once the waiter is registered.
	requests := make(chan struct{})
	helper := testutil.Go(t, func() {
		for range requests {
			waitRegistered(t, &n, 1)
			n.NotifyOne()
		}
	})
	defer func() { close(requests); testutil.Recv(t, helper, "helper") }()
	parking := func() {
		requests <- struct{}{}
		if err := n.Wait(ctx); err != nil {
			t.Error(err)
		}
	}
	parking()
	if a := testing.AllocsPerRun(100, parking); a != 0 {
		t.Errorf("a parking Wait allocates %v times per run", a)
	}
}
