package notify_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/diatomic-go/diatomic/internal/testutil"
	"github.com/diatomic-go/diatomic/notify"
)

// wantPanic runs f and fails the test unless it panics with a message that
// starts with "notify: " and contains want.
func wantPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		msg, _ := recover().(string)
		if !strings.HasPrefix(msg, "notify: ") || !strings.Contains(msg, want) {
			t.Fatalf("recovered %q, want a notify: panic about %q", msg, want)
		}
	}()
	f()
}

// A nil context panics before anything changes: a stored permit stays
// stored, a handle stays registered (and a deferred Cancel withdraws it),
// and the next NotifyOne reaches the next waiter.
func TestNilContextPanics(t *testing.T) {
	var n notify.Notify
	var nilCtx context.Context

	wantPanic(t, "nil Context", func() { _ = n.Wait(nilCtx) })
	check(t, &n)
	if k := notify.Registered(&n); k != 0 {
		t.Fatalf("Wait(nil) left %d registrations", k)
	}
	n.NotifyOne()
	wantPanic(t, "nil Context", func() { _ = n.Wait(nilCtx) })
	wantPermit(t, &n, true) // not taken by the panicking Wait

	func() {
		h := n.Notified()
		defer h.Cancel()
		wantPanic(t, "nil Context", func() { _ = h.Wait(nilCtx) })
		if k := notify.Registered(&n); k != 1 {
			t.Fatalf("Notified().Wait(nil) left %d registrations, want its own 1", k)
		}
	}()
	wantWorks(t, &n)

	// A handle that had taken the permit passes it on after the panic.
	n.NotifyOne()
	func() {
		h := n.Notified()
		wantChosen(t, []*notify.Notified{h}, true)
		defer h.Cancel()
		wantPanic(t, "nil Context", func() { _ = h.Wait(nilCtx) })
	}()
	wantPermit(t, &n, true)
	wantWorks(t, &n)
}

// Cancel after Wait, and a second Cancel, do nothing, whatever the handle
// went through.
func TestCancelAfterFinishIsNoOp(t *testing.T) {
	var n notify.Notify
	for name, finish := range map[string]func(h *notify.Notified){
		"Wait notified": func(h *notify.Notified) {
			n.NotifyOne()
			wantWoken(t, h, "the only handle")
		},
		"Wait took the permit": func(h *notify.Notified) {
			wantWoken(t, h, "the handle that took the permit")
		},
		"Wait gave up": func(h *notify.Notified) {
			if err := h.Wait(cancelled); !errors.Is(err, context.Canceled) {
				t.Fatalf("Wait(cancelled) = %v", err)
			}
		},
		"Wait woken by NotifyAll": func(h *notify.Notified) {
			n.NotifyAll()
			wantWoken(t, h, "the handle NotifyAll woke")
		},
		"Cancel": func(h *notify.Notified) { h.Cancel() },
	} {
		t.Run(name, func(t *testing.T) {
			if name == "Wait took the permit" {
				n.NotifyOne()
			}
			h := n.Notified()
			finish(h)
			h.Cancel()
			h.Cancel()
			// Nothing was stored or passed on by the extra Cancels.
			wantPermit(t, &n, false)
			wantWorks(t, &n)
		})
	}
}

// A finished handle never acts on the registration that reused its record:
// the innocent goroutine that registered next still gets its notification,
// however many times the stale handle is cancelled.
func TestStaleHandleLeavesOthersAlone(t *testing.T) {
	testutil.ForEachProcs(t, func(t *testing.T) {
		for i := range iterations(500) {
			var n notify.Notify
			stale := n.Notified()
			if i%2 == 0 {
				n.NotifyOne()
				wantWoken(t, stale, "the stale-to-be handle")
			} else {
				stale.Cancel()
			}
			registered := make(chan struct{})
			innocent := make(chan error, 1)
			ctx := bounded(t)
			go func() {
				h := n.Notified() // likely on the record stale had
				defer h.Cancel()
				close(registered)
				innocent <- h.Wait(ctx)
			}()
			testutil.Recv(t, registered, "the other goroutine to register")
			stale.Cancel()
			stale.Cancel()
			if k := notify.Registered(&n); k != 1 {
				t.Fatalf("a stale Cancel withdrew another goroutine's registration: %d registered, want 1", k)
			}
			n.NotifyOne()
			if err := testutil.Recv(t, innocent, "the other goroutine's Wait"); err != nil {
				t.Fatalf("the other goroutine's Wait = %v: a stale handle took its notification", err)
			}
			wantPermit(t, &n, false)
			wantPanic(t, "already called", func() { _ = stale.Wait(cancelled) })
			check(t, &n)
		}
	})
}

func TestTryWait(t *testing.T) {
	var n notify.Notify
	if n.TryWait() {
		t.Fatal("TryWait on a zero Notify took a permit")
	}
	n.NotifyOne()
	n.NotifyLast() // permits do not add up
	if !n.TryWait() {
		t.Fatal("TryWait did not take the stored permit")
	}
	if n.TryWait() {
		t.Fatal("TryWait took a permit twice")
	}
	n.NotifyAll() // stores nothing
	if n.TryWait() {
		t.Fatal("TryWait took a permit NotifyAll did not store")
	}
	// A notification delivered to a registered handle is not a permit.
	h := n.Notified()
	n.NotifyOne()
	if n.TryWait() {
		t.Fatal("TryWait took the notification of a registered handle")
	}
	wantChosen(t, []*notify.Notified{h}, true)
	h.Cancel() // passed on: stored as the permit
	if !n.TryWait() {
		t.Fatal("TryWait did not take the permit a cancelled handle passed on")
	}
	wantWorks(t, &n)
}
