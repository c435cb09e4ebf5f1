package notify_test

import (
	"context"
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/diatomic-go/diatomic/internal/testutil"
	"github.com/diatomic-go/diatomic/notify"
)

// chanWaker's Wake is a non-blocking send, as a select loop's waker is.
type chanWaker struct{ c chan struct{} }

func (w *chanWaker) Wake() {
	select {
	case w.c <- struct{}{}:
	default:
	}
}

// TestSelectConservesNotifyOne hunts a notification lost or duplicated when
// the select takes another case. Each round, waiters take a handle and
// select on its Ready channel and on a channel that a referee closes at a
// random moment (in some rounds one waiter registers a Waker instead, or
// waits in Wait with a ctx that the referee ends); one NotifyOne races the
// referee. A waiter that loses the select cancels its handle, which must
// pass the notification on; so must a waiter that gives up in Wait. At the end exactly one of them received the
// notification, or it is the stored permit: never both, never neither.
func TestSelectConservesNotifyOne(t *testing.T) {
	testutil.ForEachProcs(t, func(t *testing.T) {
		const waiters = 4
		for i := range iterations(3000) {
			var n notify.Notify
			var received atomic.Int32
			other := make(chan struct{})
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{}, waiters)
			for j := range waiters {
				h := n.Notified()
				go func() {
					defer func() { done <- struct{}{} }()
					defer h.Cancel()
					if j == 0 && i%3 == 0 {
						// One waiter in Wait with a ctx that ends.
						if h.Wait(ctx) == nil {
							received.Add(1)
						}
						return
					}
					if j == 1 && i%3 == 1 {
						// One waiter through Register: its Waker's
						// wake means Wait now returns at once.
						w := &chanWaker{make(chan struct{}, 1)}
						h.Register(w)
						select {
						case <-w.c:
							if err := h.Wait(cancelled); err != nil {
								t.Errorf("round %d: Wait after the Waker's wake = %v", i, err)
							}
							received.Add(1)
						case <-other:
							h.Unregister()
						}
						return
					}
					select {
					case <-h.Ready():
						received.Add(1)
					case <-other:
					}
				}()
			}
			notified := testutil.Go(t, n.NotifyOne)
			if rand.IntN(2) == 0 {
				runtime.Gosched()
			}
			close(other)
			cancel()
			testutil.Recv(t, notified, "NotifyOne")
			for range waiters {
				testutil.Recv(t, done, "a selecting waiter")
			}
			permit := n.TryWait()
			if got := int(received.Load()); got+b2i(permit) != 1 {
				t.Fatalf("round %d: %d waiters received the notification, permit stored %v: want exactly one of them",
					i, got, permit)
			}
			if notify.Registered(&n) != 0 {
				t.Fatalf("round %d: %d handles left registered", i, notify.Registered(&n))
			}
			check(t, &n)
		}
	})
}

// TestSelectStress: waiters serve a token counter in a select loop
// (Ready beside a ticker-like case that fires at random), notifiers add
// tokens and NotifyOne; every token is taken and no waiter is left asleep.
func TestSelectStress(t *testing.T) {
	testutil.ForEachProcs(t, func(t *testing.T) {
		const waiters, notifiers = 3, 3
		per := iterations(2000)
		var n notify.Notify
		var tokens, taken atomic.Int64
		total := int64(notifiers * per)
		tick := make(chan struct{})
		stopTick := make(chan struct{})
		ticker := testutil.Go(t, func() {
			for {
				select {
				case tick <- struct{}{}:
				case <-stopTick:
					return
				}
			}
		})
		take := func() bool {
			for v := tokens.Load(); v > 0; v = tokens.Load() {
				if tokens.CompareAndSwap(v, v-1) {
					if v > 1 {
						n.NotifyOne() // permits do not add up: pass the baton
					}
					taken.Add(1)
					return true
				}
			}
			return false
		}
		expired, stop := testutil.Deadline()
		defer stop()
		var dones []<-chan struct{}
		for range waiters {
			dones = append(dones, testutil.Go(t, func() {
				for taken.Load() < total {
					if take() {
						continue
					}
					h := n.Notified()
					if take() {
						h.Cancel()
						continue
					}
					select {
					case <-h.Ready():
						h.Cancel() // only gives the record back
					case <-tick:
						h.Cancel() // lost the select: passes it on
					case <-expired:
						t.Errorf("a waiter is left asleep: %d of %d tokens taken", taken.Load(), total)
						h.Cancel()
						return
					}
				}
				n.NotifyAll() // wake the others to see the end
			}))
		}
		for range notifiers {
			dones = append(dones, testutil.Go(t, func() {
				for range per {
					tokens.Add(1)
					n.NotifyOne()
				}
			}))
		}
		for _, d := range dones {
			testutil.Recv(t, d, "a waiter or notifier")
		}
		close(stopTick)
		testutil.Recv(t, ticker, "the ticker")
		if taken.Load() != total || tokens.Load() != 0 {
			t.Fatalf("%d tokens taken, %d left, want %d and 0", taken.Load(), tokens.Load(), total)
		}
	})
}

// Ready is ready only once a notification is there, in a bubble: a select
// on it blocks durably until NotifyOne, and a permit makes it ready at once.
func TestReadySynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n notify.Notify
		h := n.Notified()
		got := make(chan struct{})
		go func() {
			defer close(got)
			select {
			case <-h.Ready():
			case <-time.After(time.Hour):
				t.Error("Ready was never ready: the NotifyOne was lost")
			}
		}()
		synctest.Wait()
		select {
		case <-got:
			t.Fatal("Ready was ready before any notification")
		default:
		}
		n.NotifyOne()
		<-got
		h.Cancel()
		if n.TryWait() {
			t.Fatal("a notification received through Ready was passed on by Cancel")
		}

		n.NotifyOne() // the permit
		h = n.Notified()
		select {
		case <-h.Ready():
		default:
			t.Fatal("Ready of a handle that took the permit is not ready at once")
		}
		h.Cancel()
		if n.TryWait() {
			t.Fatal("the permit was duplicated")
		}
	})
}

// A handle that lost the select passes its notification on: to the next
// handle, or, with none, to the permit. NotifyAll's is dropped.
func TestReadyLostSelectPassesOn(t *testing.T) {
	var n notify.Notify
	a, b := n.Notified(), n.Notified()
	_ = a.Ready()
	n.NotifyOne() // chooses a
	a.Cancel()    // a's select took another case
	select {
	case <-b.Ready():
	default:
		t.Fatal("the notification of a cancelled selecting handle was not passed on")
	}
	b.Cancel()
	if n.TryWait() {
		t.Fatal("a notification received was passed on again")
	}

	a = n.Notified()
	_ = a.Ready()
	n.NotifyOne()
	a.Cancel()
	if !n.TryWait() {
		t.Fatal("the notification of a cancelled selecting handle did not become the permit")
	}

	a = n.Notified()
	ch := a.Ready()
	n.NotifyAll()
	a.Cancel()
	if n.TryWait() {
		t.Fatal("NotifyAll's notification to a cancelled handle was stored")
	}
	select {
	case <-ch:
		t.Fatal("a cancelled handle's channel holds a token")
	default:
	}
	check(t, &n)
}

// Ready then Wait: a handle may go back to blocking.
func TestReadyThenWait(t *testing.T) {
	var n notify.Notify
	h := n.Notified()
	_ = h.Ready()
	done := testutil.Go(t, func() {
		waitRegistered(t, &n, 1)
		n.NotifyOne()
	})
	if err := h.Wait(bounded(t)); err != nil {
		t.Fatalf("Wait after Ready = %v: the notification was lost", err)
	}
	testutil.Recv(t, done, "the notifier")
	// The record, in channel mode, is reused by a Wait that blocks.
	done = testutil.Go(t, func() {
		waitRegistered(t, &n, 1)
		n.NotifyOne()
	})
	if err := n.Wait(bounded(t)); err != nil {
		t.Fatalf("Wait on a reused record = %v", err)
	}
	testutil.Recv(t, done, "the notifier")
}

type countWaker struct{ n atomic.Int32 }

func (w *countWaker) Wake() { w.n.Add(1) }

func TestRegister(t *testing.T) {
	var n notify.Notify
	h := n.Notified()
	var w countWaker
	h.Register(&w)
	if w.n.Load() != 0 {
		t.Fatal("Register woke a handle not notified")
	}
	n.NotifyOne()
	if w.n.Load() != 1 {
		t.Fatalf("the registered Waker was woken %d times by one NotifyOne, want 1", w.n.Load())
	}
	if err := h.Wait(cancelled); err != nil {
		t.Fatalf("Wait after the Waker's wake = %v, want nil at once", err)
	}

	// Already notified: woken at once.
	n.NotifyOne()
	h = n.Notified() // takes the permit
	var w2 countWaker
	h.Register(&w2)
	if w2.n.Load() != 1 {
		t.Fatal("Register on a notified handle did not wake at once")
	}
	h.Cancel()
	if !n.TryWait() {
		t.Fatal("the permit taken by a cancelled registered handle was lost")
	}

	// Unregister: no wake after it.
	h = n.Notified()
	var w3 countWaker
	h.Register(&w3)
	h.Unregister()
	n.NotifyAll()
	if w3.n.Load() != 0 {
		t.Fatal("an unregistered Waker was woken")
	}
	h.Cancel()
	h.Unregister() // finished: nothing
	check(t, &n)
}

func TestReadyRegisterMisuse(t *testing.T) {
	var n notify.Notify
	h := n.Notified()
	h.Cancel()
	wantPanic(t, "notify: Ready on a Notified whose Wait or Cancel was already called", func() { h.Ready() })
	wantPanic(t, "notify: Register on a Notified whose Wait or Cancel was already called", func() { h.Register(&countWaker{}) })
	h = n.Notified()
	wantPanic(t, "notify: Register with a nil Waker", func() { h.Register(nil) })
	var zero notify.Notified
	wantPanic(t, "notify: Notified not obtained from Notify.Notified", func() { zero.Ready() })
	wantPanic(t, "notify: Notified not obtained from Notify.Notified", func() { zero.Unregister() })
	// The Notify still works: h is registered and gets the notification.
	n.NotifyOne()
	select {
	case <-h.Ready():
	default:
		t.Fatal("after the panics, NotifyOne did not reach the registered handle")
	}
	h.Cancel()
	check(t, &n)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
