//go:build race

package notify

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/diatomic-go/diatomic/internal/testutil"
)

// The permit's two lock-free steps, interleaved by hand through testHook
// (race-detector builds only): each test stops one goroutine right after its
// load of the state word, runs the competing step to completion in another,
// then lets the first one go on. A plain store where the protocol has a CAS
// shows at once.

// pauseFirstAt sets testHook so that the first goroutine reaching at stops
// there: paused is closed when it arrives, and it goes on once resume is
// closed. Later arrivals pass.
func pauseFirstAt(t *testing.T, at step) (paused, resume chan struct{}) {
	paused, resume = make(chan struct{}), make(chan struct{})
	var arrived atomic.Bool
	testHook = func(s step) {
		if s == at && arrived.CompareAndSwap(false, true) {
			close(paused)
			<-resume
		}
	}
	t.Cleanup(func() { testHook = nil })
	return paused, resume
}

// Two takers that both loaded stNotified: only one gets the permit.
func TestPermitTakenOnceInterleaved(t *testing.T) {
	for name, take := range map[string]func(n *Notify) bool{
		"TryWait": (*Notify).TryWait,
		"Wait": func(n *Notify) bool {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return n.Wait(ctx) == nil
		},
	} {
		t.Run(name, func(t *testing.T) {
			var n Notify
			n.NotifyOne()
			paused, resume := pauseFirstAt(t, stepPermitLoaded)
			first := make(chan bool, 1)
			go func() { first <- take(&n) }()
			testutil.Recv(t, paused, "the first taker to load the permit")
			second := take(&n) // loads stNotified too, and takes it
			close(resume)
			if got := testutil.Recv(t, first, "the first taker"); got && second {
				t.Fatal("one permit taken by two takers")
			} else if !got && !second {
				t.Fatal("the permit was taken by neither taker")
			}
			if n.state.Load() != stEmpty {
				t.Fatalf("state %d after the permit was taken, want stEmpty", n.state.Load())
			}
		})
	}
}

// A NotifyOne that loaded stEmpty, then a registration: the notification
// must reach the registration, not become a permit stored over it.
func TestPermitNotStoredOverRegistration(t *testing.T) {
	var n Notify
	paused, resume := pauseFirstAt(t, stepEmptyLoaded)
	notified := testutil.Go(t, n.NotifyOne)
	testutil.Recv(t, paused, "NotifyOne to load stEmpty")
	h := n.Notified() // stEmpty to stWaiting
	close(resume)
	testutil.Recv(t, notified, "NotifyOne")
	if err := CheckInvariants(&n); err != nil {
		t.Fatalf("after NotifyOne raced a registration: %v", err)
	}
	if !Woken(h) {
		t.Fatal("NotifyOne, racing a registration, did not reach it")
	}
	h.Cancel() // passes it on: stored
	if !n.TryWait() || n.TryWait() {
		t.Fatal("want exactly one permit after the chosen handle was cancelled")
	}
}
