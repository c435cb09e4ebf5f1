// The race detector allocates on its own account, so allocation counts are
// only meaningful without it.

//go:build !race

package notify_test

import (
	"testing"

	"github.com/diatomic-go/diatomic/internal/testutil"
	"github.com/diatomic-go/diatomic/notify"
)

func TestAllocs(t *testing.T) {
	ctx := bounded(t)
	wait := func(err error) {
		if err != nil {
			t.Fatalf("Wait = %v, want nil: the notification was lost", err)
		}
	}
	// Each case on a Notify of its own, so that none inherits a permit.
	for name, f := range map[string]func(n *notify.Notify){
		"NotifyOne+Wait":        func(n *notify.Notify) { n.NotifyOne(); wait(n.Wait(ctx)) },
		"NotifyOne+TryWait":     func(n *notify.Notify) { n.NotifyOne(); _ = n.TryWait() },
		"NotifyOne with permit": (*notify.Notify).NotifyOne,
		"NotifyAll, nobody":     (*notify.Notify).NotifyAll,
		"Notified+Cancel":       func(n *notify.Notify) { n.Notified().Cancel() },
		"Notified+Ready+NotifyOne+receive+Cancel": func(n *notify.Notify) {
			h := n.Notified()
			ch := h.Ready()
			n.NotifyOne()
			<-ch
			h.Cancel()
		},
		"Notified+Ready+Cancel (lost select, permit)": func(n *notify.Notify) {
			h := n.Notified()
			_ = h.Ready()
			n.NotifyOne()
			h.Cancel()
			_ = n.TryWait()
		},
		"Notified+Register+NotifyOne+Wait": func(n *notify.Notify) {
			h := n.Notified()
			h.Register(&allocWaker)
			n.NotifyOne()
			wait(h.Wait(ctx))
		},
		"Notified+NotifyAll+Wait+Cancel": func(n *notify.Notify) {
			h := n.Notified()
			defer h.Cancel()
			n.NotifyAll()
			wait(h.Wait(ctx))
		},
	} {
		var n notify.Notify
		f := func() { f(&n) }
		f() // fill n's record cache
		if a := testing.AllocsPerRun(100, f); a != 0 {
			t.Errorf("%s allocates %v times per run", name, a)
		}
	}
	// A Wait that parks: the helper notifies once the waiter is registered.
	var n notify.Notify
	requests := notifier(t, &n)
	parking := func() {
		requests <- struct{}{}
		wait(n.Wait(ctx))
	}
	parking()
	if a := testing.AllocsPerRun(100, parking); a != 0 {
		t.Errorf("a parking Wait allocates %v times per run", a)
	}
}

var allocWaker countWaker

// A select that blocks on Ready, woken by a NotifyOne from another goroutine.
func TestAllocsReadyParked(t *testing.T) {
	var n notify.Notify
	requests := notifier(t, &n)
	expired, stop := testutil.Deadline()
	defer stop()
	selecting := func() {
		h := n.Notified()
		requests <- struct{}{}
		select {
		case <-h.Ready():
		case <-expired:
			t.Fatal("the NotifyOne never made Ready ready")
		}
		h.Cancel()
	}
	selecting()
	if a := testing.AllocsPerRun(100, selecting); a != 0 {
		t.Errorf("a select on Ready that blocks allocates %v times per run", a)
	}
}

// notifier starts a helper that, for each value sent on the returned
// channel, waits until a handle is registered on n and calls NotifyOne. It
// stops with the test.
func notifier(t *testing.T, n *notify.Notify) chan<- struct{} {
	requests := make(chan struct{})
	helper := testutil.Go(t, func() {
		for range requests {
			waitRegistered(t, n, 1)
			n.NotifyOne()
		}
	})
	t.Cleanup(func() { close(requests); testutil.Recv(t, helper, "helper") })
	return requests
}
