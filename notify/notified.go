package notify

import (
	"context"
	"sync"

	"github.com/diatomic-go/diatomic/internal/bubble"
	"github.com/diatomic-go/diatomic/waker"
)

// A registration is a waiter record: its place in the list and its parker.
// Records are reused through a sync.Pool, so that the steady state allocates
// nothing; the handles given to callers are not. A Notified handle points
// to its record until its Wait or Cancel takes the record from it, and never
// again: a handle that has been finished cannot reach a record, so it can
// never act on a registration that is now somebody else's. Notified is small
// enough to inline, so a handle that does not leave its caller's frame lives
// on the stack.
//
// Who owns a record: the pool, or the handle (or Notify.Wait) that
// registered it, until its wait or cancellation is done with it; while it is
// listed, its links and kind are guarded by Notify.mu.
//
// testing/synctest ties a channel made inside a bubble to that bubble: using
// it from outside is a fatal error, and blocking on a channel made outside
// the bubble does not count as durably blocked. So records made by a
// goroutine in a bubble never enter the pool (see Notify.inBubble).

// waiter is the record of one registration.
type waiter struct {
	prev, next *waiter // guarded by Notify.mu while listed
	kind       kind    // guarded by Notify.mu; see the Notify invariants
	pooled     bool    // made outside any bubble: goes back to the pool
	parker     *waker.Parker
}

// records holds records made outside any bubble. New runs in whatever
// goroutine finds the pool empty, so it checks.
var records = sync.Pool{New: func() any {
	return &waiter{parker: waker.NewParker(), pooled: !bubble.Inside()}
}}

func newRecord(n *Notify) *waiter {
	if n.inBubble() {
		return &waiter{parker: waker.NewParker()}
	}
	return records.Get().(*waiter)
}

// releaseRecord returns w, whose parker holds no token and will receive no
// wake, to the pool.
func releaseRecord(w *waiter) {
	w.kind = kindNone
	if w.pooled {
		records.Put(w)
	}
}

// Notified is a registration for a notification of a [Notify], taken with
// [Notify.Notified] and finished with Wait or Cancel.
//
// Cancel after Wait, or a second Cancel, does nothing, so that
//
//	h := n.Notified()
//	defer h.Cancel()
//
// is always safe. A second Wait, or a Wait after Cancel, panics; so does a
// Wait or Cancel on a Notified not obtained from Notify.Notified. A finished
// handle never touches the Notify again.
//
// A Notified belongs to one goroutine at a time: two goroutines using one
// handle at once race on it, which the race detector reports.
type Notified struct {
	n *Notify
	w *waiter // the registration; nil once Wait or Cancel has taken it
}

// Wait blocks until the handle is notified or ctx is done. It returns nil at
// once if the handle was notified (or took a permit) since Notified returned.
//
// If ctx ends first, Wait returns ctx.Err() and leaves nothing registered; a
// notification from NotifyOne or NotifyLast that chose this handle as ctx
// ended is passed on to the next waiter (or stored as the permit). A
// notification already delivered wins over ctx: Wait then returns nil even if
// ctx is already done. Either way the handle is finished: a later Cancel does
// nothing.
//
// Wait synchronizes after the NotifyOne, NotifyLast or NotifyAll that woke
// it, and after the NotifyOne that stored the permit it took. A Wait that has
// to block yields the processor once (runtime.Gosched) before parking.
//
// A nil ctx panics, leaving the handle registered (a deferred Cancel still
// withdraws it).
func (h *Notified) Wait(ctx context.Context) error {
	if ctx == nil {
		panic(errNilContext)
	}
	w := h.w
	if w == nil {
		if h.n == nil {
			panic(errZeroHandle)
		}
		panic("notify: Wait on a Notified whose Wait or Cancel was already called")
	}
	h.w = nil
	return h.n.waitOn(ctx, w)
}

// Cancel withdraws the registration, leaving the Notify as if the handle had
// never been taken: a notification from NotifyOne or NotifyLast (or a permit)
// that went to this handle is passed on to the next waiter or stored as the
// permit again; one from NotifyAll is dropped. On a handle already finished
// by Wait or Cancel it does nothing.
func (h *Notified) Cancel() {
	w := h.w
	if w == nil {
		if h.n == nil {
			panic(errZeroHandle)
		}
		return
	}
	h.w = nil
	h.n.withdraw(w)
	releaseRecord(w)
}

const (
	errNilContext = "notify: nil Context"
	errZeroHandle = "notify: Notified not obtained from Notify.Notified"
)

// inBubble reports whether the caller, registering on n, runs in a
// testing/synctest bubble. Like a channel, a Notify first waited on outside
// any bubble belongs to no bubble: that first registration reads the clock
// once, and from then on the answer is "no" for one atomic load. A goroutine
// of a bubble waiting on such a Notify is not durably blocked, exactly as if
// it received from a channel made outside the bubble. A Notify first waited
// on in a bubble reads the clock on every registration, which only tests do.
//
// A wrong answer never puts a bubbled parker in the pool: the pool's New
// checks for itself, and only records made outside any bubble are pooled.
func (n *Notify) inBubble() bool {
	if n.bubble.Load() == bubbleOutside {
		return false
	}
	if bubble.Inside() {
		n.bubble.Store(bubbleInside)
		return true
	}
	n.bubble.CompareAndSwap(bubbleUnknown, bubbleOutside)
	return false
}

const (
	bubbleUnknown uint32 = iota
	bubbleOutside
	bubbleInside
)
