package notify

import (
	"context"

	"github.com/diatomic-go/diatomic/waker"
)

// A registration is a waiter record (waitlist.Waiter): its place in the
// list, its token (a channel of capacity 1), and the Waker it was given by
// Register. Each Notify keeps
// its records for reuse (Notify.records), so that the steady state allocates
// nothing; the handles given to callers are not reused. A Notified handle
// points to its record until its Wait or Cancel takes the record from it,
// and never again: a handle that has been finished cannot reach a record, so
// it can never act on a registration that is now somebody else's. Notified
// is small enough to inline, so a handle that does not leave its caller's
// frame lives on the stack.
//
// Who owns a record: the Notify's cache, or the handle (or Notify.Wait) that
// registered it, until its wait or cancellation is done with it; while it is
// listed, its links, kind and Waker are guarded by Notify.mu.

// Notified is a registration for a notification of a [Notify], taken with
// [Notify.Notified] and finished with Wait or Cancel, or by a receive from
// the channel Ready returned.
//
// Cancel after Wait, or a second Cancel, does nothing, so that
//
//	h := n.Notified()
//	defer h.Cancel()
//
// is always safe. A second Wait, or a Wait, Ready or Register after Cancel,
// panics; so does any method on a Notified not obtained from
// Notify.Notified. A finished handle never touches the Notify again.
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
// to block may yield the processor once before parking (as
// waker.Parker.Park does).
//
// A nil ctx panics, leaving the handle registered (a deferred Cancel still
// withdraws it).
func (h *Notified) Wait(ctx context.Context) error {
	if ctx == nil {
		panic(errNilContext)
	}
	w := h.record("Wait")
	h.w = nil
	return h.n.waitOn(ctx, w)
}

// Ready returns a channel that becomes ready to receive from once the handle
// is notified (at once if it already is), for use in a select statement
// beside other cases:
//
//	h := n.Notified()
//	defer h.Cancel()
//	select {
//	case <-h.Ready(): // notified: h is consumed
//	case <-tick:      // h lost the select: Cancel passes its notification on
//	}
//
// A receive from the channel consumes the notification, as Wait returning
// nil does, and synchronizes after the notification as Wait does. The handle
// is then finished in all but name: Cancel only gives its record back to
// the Notify for reuse (and is not needed for correctness). A handle whose
// select took another case is still registered: Cancel withdraws it, and a
// notification from NotifyOne or NotifyLast that chose it in the meantime is
// passed on to the next waiter or stored as the permit, exactly as for a
// cancelled Wait; Wait may also be called to go on waiting.
//
// Ready may be called any number of times until the handle is finished; each
// call returns the same channel, which receives at most one value. After a
// receive from it, Ready, Wait and Register must not be called again (Wait
// would block until its ctx ends).
func (h *Notified) Ready() <-chan struct{} {
	// The token is stored in this channel: one already stored is there,
	// and a notification later stores it with a non-blocking send.
	return h.record("Ready").Token.C()
}

// Register arranges for w.Wake to be called once the handle is notified, or
// at once if it already is, for a goroutine that waits on many sources at a
// time (see waker.Waker). The notification is still to be consumed by Wait
// or by a receive from Ready; a Wake tells that one of them now returns at
// once.
//
// w.Wake is called from the notifier, with the Notify's internal lock held:
// it must not block and must not call back into the Notify, as the Waker
// contract asks. A second Register replaces the first Waker. A nil w panics,
// changing nothing.
func (h *Notified) Register(w waker.Waker) {
	if w == nil {
		panic("notify: Register with a nil Waker")
	}
	r := h.record("Register")
	h.n.mu.Lock()
	if r.Kind != kindNone {
		h.n.mu.Unlock()
		w.Wake() // already notified
		return
	}
	r.Waker = w
	h.n.mu.Unlock()
}

// Unregister withdraws the Waker given to Register: once it returns, no
// notification calls it. The handle stays registered for its notification.
// It does nothing on a finished handle or one with no Waker.
func (h *Notified) Unregister() {
	if h.n == nil {
		panic(errZeroHandle)
	}
	r := h.w
	if r == nil {
		return
	}
	h.n.mu.Lock()
	r.Waker = nil
	h.n.mu.Unlock()
}

// Cancel withdraws the registration, leaving the Notify as if the handle had
// never been taken: a notification from NotifyOne or NotifyLast (or a permit)
// that went to this handle, and that no receive from Ready consumed, is
// passed on to the next waiter or stored as the permit again; one from
// NotifyAll is dropped. On a handle already finished by Wait or Cancel it
// does nothing.
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
}

// record returns h's registration, panicking if h is finished (or was not
// obtained from Notify.Notified) before anything changes.
func (h *Notified) record(method string) *waiter {
	w := h.w
	if w == nil {
		if h.n == nil {
			panic(errZeroHandle)
		}
		panic("notify: " + method + " on a Notified whose Wait or Cancel was already called")
	}
	return w
}

const (
	errNilContext = "notify: nil Context"
	errZeroHandle = "notify: Notified not obtained from Notify.Notified"
)
