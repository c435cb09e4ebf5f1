package notify_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/diatomic-go/diatomic/internal/testutil"
	"github.com/diatomic-go/diatomic/notify"
)

// cancelled is a context that is already done: Wait with it reports whether
// a notification is there without blocking.
var cancelled = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

// bounded returns a context that ends after testutil.Timeout (on the fake
// clock inside a synctest bubble) and with the test: a wait on it that
// returns context.DeadlineExceeded lost its wake-up.
func bounded(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
	t.Cleanup(cancel)
	return ctx
}

// wantWoken checks that h has been woken, then that its Wait returns nil at
// once. It fails before waiting if h has not been woken: a Wait on a handle
// that was chosen but never woken would give up, then wait in its
// withdrawal for the wake forever.
func wantWoken(t testing.TB, h *notify.Notified, what string) {
	t.Helper()
	if !notify.Woken(h) {
		t.Fatalf("%s: not woken (its notification was lost)", what)
	}
	if err := h.Wait(cancelled); err != nil {
		t.Fatalf("%s: Wait = %v, want nil at once", what, err)
	}
}

// check fails the test if n's invariants are broken.
func check(t *testing.T, n *notify.Notify) {
	t.Helper()
	if err := notify.CheckInvariants(n); err != nil {
		t.Fatal(err)
	}
}

// wantChosen checks which handles have been notified, and that each one
// notified holds its wake, so that its Wait returns at once.
func wantChosen(t *testing.T, hs []*notify.Notified, want ...bool) {
	t.Helper()
	for i, h := range hs {
		if got := notify.Chosen(h); got != want[i] {
			t.Fatalf("handle %d: chosen = %v, want %v", i, got, want[i])
		}
		if got := notify.Woken(h); got != want[i] {
			t.Fatalf("handle %d: chosen = %v but woken = %v", i, want[i], got)
		}
	}
}

// wantPermit checks whether a permit is stored, consuming it if so.
func wantPermit(t *testing.T, n *notify.Notify, want bool) {
	t.Helper()
	err := n.Wait(cancelled)
	if got := err == nil; got != want {
		t.Fatalf("permit stored = %v (Wait = %v), want %v", got, err, want)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait = %v", err)
	}
	check(t, n)
}

func handles(n *notify.Notify, k int) []*notify.Notified {
	hs := make([]*notify.Notified, k)
	for i := range hs {
		hs[i] = n.Notified()
	}
	return hs
}

// The tests below port tokio's tests/sync_notify.rs and the examples of
// sync/notify.rs. A handle taken with Notified is tokio's Notified future
// after enable(); Cancel is dropping it.

func TestNotifyThenWait(t *testing.T) {
	var n notify.Notify
	n.NotifyOne()
	if err := n.Wait(bounded(t)); err != nil {
		t.Fatalf("Wait = %v, want the stored permit", err)
	}
	wantPermit(t, &n, false)
}

func TestPermitsDoNotAddUp(t *testing.T) {
	var n notify.Notify
	n.NotifyOne()
	n.NotifyOne()
	n.NotifyLast()
	wantPermit(t, &n, true)
	wantPermit(t, &n, false)
}

func TestNotifyAllStoresNoPermit(t *testing.T) {
	var n notify.Notify
	n.NotifyAll()
	wantPermit(t, &n, false)
}

func TestNotifiedMultiNotify(t *testing.T) {
	var n notify.Notify
	hs := handles(&n, 2)
	n.NotifyOne()
	wantChosen(t, hs, true, false)
	wantWoken(t, hs[0], "the handle NotifyOne chose")
	n.NotifyOne()
	wantChosen(t, hs[1:], true)
	if err := hs[1].Wait(cancelled); err != nil {
		t.Fatal(err)
	}
	wantPermit(t, &n, false)
}

func TestPermitTakenByNotified(t *testing.T) {
	// notify_notified_multi, test_enable_consumes_permit
	var n notify.Notify
	n.NotifyOne()
	hs := handles(&n, 2)
	wantChosen(t, hs, true, false)
	n.NotifyOne()
	wantChosen(t, hs, true, true)
	for _, h := range hs {
		if err := h.Wait(cancelled); err != nil {
			t.Fatal(err)
		}
	}
	wantPermit(t, &n, false)
}

func TestCancelledBeforeNotify(t *testing.T) {
	// notified_drop_notified_notify
	var n notify.Notify
	h1 := n.Notified()
	h1.Cancel()
	check(t, &n)
	if k := notify.Registered(&n); k != 0 {
		t.Fatalf("a cancelled handle left %d registrations", k)
	}
	h2 := n.Notified()
	n.NotifyOne()
	wantChosen(t, []*notify.Notified{h2}, true)
	h2.Cancel()
	wantPermit(t, &n, true) // passed on to nobody: stored
}

func TestChosenThenCancelledPassesItOn(t *testing.T) {
	// notified_multi_notify_drop_one, and tokio issue #4618: a waiter chosen
	// by NotifyOne that goes away must not take the notification with it.
	for _, notifyOne := range []func(*notify.Notify){(*notify.Notify).NotifyOne, (*notify.Notify).NotifyLast} {
		var n notify.Notify
		hs := handles(&n, 3)
		notifyOne(&n)
		chosen, rest := 0, []int{1, 2}
		if !notify.Chosen(hs[0]) {
			chosen, rest = 2, []int{1, 0}
		}
		wantChosen(t, hs[chosen:chosen+1], true)
		hs[chosen].Cancel()
		wantChosen(t, []*notify.Notified{hs[rest[0]], hs[rest[1]]}, true, false)
		hs[rest[0]].Cancel() // passed on once more
		wantChosen(t, hs[rest[1]:rest[1]+1], true)
		hs[rest[1]].Cancel() // nobody left: the permit is stored
		wantPermit(t, &n, true)
		wantPermit(t, &n, false)
	}
}

func TestIssue4618(t *testing.T) {
	// First listener registers; the notification goes to it; it is dropped.
	// A second listener must not wait forever.
	var n notify.Notify
	h := n.Notified()
	n.NotifyOne()
	h.Cancel()
	if err := n.Wait(cancelled); err != nil {
		t.Fatalf("the notification was lost: %v", err)
	}
}

func TestIssue3652(t *testing.T) {
	// notify_one_after_dropped_all: a handle woken by NotifyAll, then a
	// NotifyOne stores a permit, then the handle is dropped: the permit must
	// survive.
	var n notify.Notify
	h := n.Notified()
	n.NotifyAll()
	n.NotifyOne()
	h.Cancel()
	wantPermit(t, &n, true)
}

func TestTakenPermitPassedOnWhenCancelled(t *testing.T) {
	var n notify.Notify
	n.NotifyOne()
	h := n.Notified()
	wantChosen(t, []*notify.Notified{h}, true) // took the permit, and its wake
	h.Cancel()
	wantPermit(t, &n, true)
}

func TestNotifyAllWakesHandlesTakenBefore(t *testing.T) {
	var n notify.Notify
	before := handles(&n, 3)
	n.NotifyAll()
	after := handles(&n, 1)
	wantChosen(t, before, true, true, true)
	wantChosen(t, after, false)
	wantPermit(t, &n, false)
	for _, h := range before {
		h.Cancel() // a NotifyAll wake is not passed on
	}
	wantChosen(t, after, false)
	wantPermit(t, &n, false)
	after[0].Cancel()
	check(t, &n)
}

func TestOrder(t *testing.T) {
	var n notify.Notify
	hs := handles(&n, 4)
	n.NotifyOne() // oldest
	wantChosen(t, hs, true, false, false, false)
	n.NotifyLast() // newest
	wantChosen(t, hs, true, false, false, true)
	n.NotifyOne()
	wantChosen(t, hs, true, true, false, true)
	n.NotifyLast()
	wantChosen(t, hs, true, true, true, true)
	for _, h := range hs {
		if err := h.Wait(cancelled); err != nil {
			t.Fatal(err)
		}
	}
	check(t, &n)
}

func TestMisusePanics(t *testing.T) {
	var n notify.Notify
	for name, f := range map[string]func(){
		"Wait after Wait": func() {
			h := n.Notified()
			n.NotifyOne()
			_ = h.Wait(bounded(t))
			_ = h.Wait(bounded(t))
		},
		"Wait after Cancel": func() {
			h := n.Notified()
			h.Cancel()
			_ = h.Wait(cancelled)
		},
		"zero Notified Wait": func() {
			var h notify.Notified
			_ = h.Wait(cancelled)
		},
		"zero Notified Cancel": func() {
			var h notify.Notified
			h.Cancel()
		},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				msg, _ := recover().(string)
				if !strings.HasPrefix(msg, "notify: ") {
					t.Fatalf("recovered %q, want a notify: panic", msg)
				}
			}()
			f()
		})
	}
	check(t, &n)
	wantWorks(t, &n)
}

// wantWorks checks that n is idle and still works: a NotifyOne reaches the
// next registration, and the one after finds no permit.
func wantWorks(t *testing.T, n *notify.Notify) {
	t.Helper()
	check(t, n)
	if k := notify.Registered(n); k != 0 {
		t.Fatalf("%d registrations left behind", k)
	}
	wantPermit(t, n, false)
	h := n.Notified()
	n.NotifyOne()
	wantChosen(t, []*notify.Notified{h}, true)
	wantWoken(t, h, "the next registration")
	wantPermit(t, n, false)
}

// waitAsync starts f in a new goroutine and returns where its result arrives.
func waitAsync(f func() error) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- f() }()
	return ch
}

// returned reports which of the results have arrived, taking them; each
// must be nil.
func returned(t *testing.T, chs ...<-chan error) []bool {
	t.Helper()
	got := make([]bool, len(chs))
	for i, ch := range chs {
		select {
		case err := <-ch:
			got[i] = true
			if err != nil {
				t.Fatalf("wait %d: %v", i, err)
			}
		default:
		}
	}
	return got
}

func TestWaitBlocksUntilNotified(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n notify.Notify
		ctx := bounded(t)
		var waits []<-chan error
		for range 4 {
			waits = append(waits, waitAsync(func() error { return n.Wait(ctx) }))
			synctest.Wait() // registered, in this order
		}
		steps := []struct {
			notify func()
			want   []bool
		}{
			{func() {}, []bool{false, false, false, false}},
			{n.NotifyOne, []bool{true, false, false, false}},
			{n.NotifyLast, []bool{false, false, false, true}},
			{n.NotifyAll, []bool{false, true, true, false}},
		}
		for i, s := range steps {
			s.notify()
			synctest.Wait()
			got := returned(t, waits...)
			for j := range got {
				if got[j] != s.want[j] {
					t.Fatalf("step %d: returned %v, want %v", i, got, s.want)
				}
			}
		}
		wantPermit(t, &n, false)
	})
}

func TestNotifyAllWakesHandleBeforeItsWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n notify.Notify
		h := n.Notified()
		n.NotifyAll()
		ctx := bounded(t)
		late := waitAsync(func() error { return n.Wait(ctx) })
		// h was registered before NotifyAll: its Wait returns at once.
		if err := h.Wait(cancelled); err != nil {
			t.Fatalf("Wait of a handle registered before NotifyAll = %v, want nil at once", err)
		}
		synctest.Wait()
		if got := returned(t, late); got[0] {
			t.Fatal("NotifyAll woke a waiter registered after it")
		}
		n.NotifyOne()
		synctest.Wait()
		if got := returned(t, late); !got[0] {
			t.Fatal("the late waiter was not woken by NotifyOne")
		}
	})
}

func TestWaitTimesOut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n notify.Notify
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		start := time.Now()
		if err := n.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Wait = %v", err)
		}
		if d := time.Since(start); d != time.Second {
			t.Fatalf("Wait gave up after %v, want 1s", d)
		}
		if k := notify.Registered(&n); k != 0 {
			t.Fatalf("a timed-out Wait left %d registrations", k)
		}
		wantPermit(t, &n, false)
		// A cancelled Wait leaves the Notify as it found it.
		n.NotifyOne()
		wantPermit(t, &n, true)
	})
}

// TestBubbles alternates parking Waits outside and inside synctest bubbles.
// Inside, a Wait must be durably blocked (synctest.Wait returns), so it must
// not park on a pooled handle made outside; outside, a handle made in a
// bubble would be a fatal error, so none may reach the pool.
func TestBubbles(t *testing.T) {
	outside := func() {
		var n notify.Notify
		done := testutil.Go(t, func() {
			waitRegistered(t, &n, 1)
			n.NotifyOne()
		})
		if err := n.Wait(bounded(t)); err != nil {
			t.Fatalf("Wait outside a bubble = %v: the notifier's wake was lost", err)
		}
		testutil.Recv(t, done, "notifier")
	}
	// synctest.Wait cannot be bounded from inside the bubble: a real-time
	// watchdog turns a hang into a failure.
	watchdog := time.AfterFunc(testutil.Timeout, func() {
		panic("synctest.Wait hung: a Wait in a bubble is not durably blocked")
	})
	defer watchdog.Stop()
	for range 3 {
		outside()
		synctest.Test(t, func(t *testing.T) {
			var n notify.Notify
			ctx := bounded(t)
			got := waitAsync(func() error { return n.Wait(ctx) })
			synctest.Wait() // hangs if the Wait is not durably blocked
			n.NotifyOne()
			if err := <-got; err != nil {
				t.Fatalf("Wait in a bubble = %v: the wake was lost", err)
			}
		})
	}
	outside()
}
