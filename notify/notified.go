package notify

import (
	"context"
	"sync"

	"github.com/diatomic-go/diatomic/internal/bubble"
	"github.com/diatomic-go/diatomic/waker"
)

// Handles are reused through a sync.Pool, each with its parker, so that the
// steady state allocates nothing. Who owns a handle: the pool, or the caller
// of Notified until its Wait or Cancel returns; phase, a plain field of the
// owner's, catches the misuses that are cheap to catch:
//
//	phFree   in the pool (or never handed out): Wait and Cancel panic
//	phArmed  handed out by Notified: Wait or Cancel may start
//	phBusy   a Wait or Cancel is running: another one panics
//
// Two goroutines using one handle at once race on phase, which the race
// detector reports. A handle is released as soon as its Wait or Cancel is
// done with it, and may be handed out again at once: a stale pointer used
// after that cannot be told from the new owner's, which is why the
// documentation forbids it.
//
// testing/synctest ties a channel made inside a bubble to that bubble: using
// it from outside is a fatal error, and blocking on a channel made outside
// the bubble does not count as durably blocked. So handles made by a
// goroutine in a bubble never enter the pool (see Notify.inBubble).
const (
	phFree uint8 = iota
	phArmed
	phBusy
)

// Notified is a registration for a notification of a [Notify], taken with
// [Notify.Notified] and finished with exactly one call of Wait or Cancel.
//
// A Notified belongs to one goroutine at a time. It must not be used after
// its Wait or Cancel has returned: it is recycled, and a later call may act
// on somebody else's registration. A second Wait or Cancel, or one on a
// Notified that was not obtained from Notify.Notified, panics with a
// "notify: ..." message when this can be detected (always, unless the handle
// has been recycled in between).
type Notified struct {
	n          *Notify
	prev, next *Notified // guarded by n.mu while listed
	kind       kind      // guarded by n.mu; see the Notify invariants
	phase      uint8     // the owner's: see above
	pooled     bool      // made outside any bubble: goes back to the pool
	parker     *waker.Parker
}

// handles holds handles made outside any bubble. New runs in whatever
// goroutine finds the pool empty, so it checks.
var handles = sync.Pool{New: func() any {
	return &Notified{parker: waker.NewParker(), pooled: !bubble.Inside()}
}}

func newHandle(n *Notify) *Notified {
	var w *Notified
	if n.inBubble() {
		w = &Notified{parker: waker.NewParker()}
	} else {
		w = handles.Get().(*Notified)
	}
	w.n = n
	w.phase = phArmed
	return w
}

// Wait blocks until the handle is notified or ctx is done. It returns nil at
// once if the handle was notified (or took a permit) since Notified returned.
//
// If ctx ends first, Wait returns ctx.Err() and leaves nothing registered; a
// notification from NotifyOne or NotifyLast that chose this handle as ctx
// ended is passed on to the next waiter (or stored as the permit). A
// notification already delivered wins over ctx: Wait then returns nil even if
// ctx is already done.
//
// Wait synchronizes after the NotifyOne, NotifyLast or NotifyAll that woke
// it, and after the NotifyOne that stored the permit it took. A Wait that has
// to block yields the processor once (runtime.Gosched) before parking.
func (w *Notified) Wait(ctx context.Context) error {
	w.enter()
	var err error
	if !w.parker.TryPark() {
		// Park yields once before blocking: a notifier that is ready to
		// run (typically the goroutine this one just woke) then often gets
		// in first, and its wake costs a CAS instead of a park and an
		// unpark.
		err = w.parker.Park(ctx)
	}
	if err != nil {
		w.n.withdraw(w)
	}
	w.release()
	return err
}

// Cancel withdraws the registration, leaving the Notify as if the handle had
// never been taken: a notification from NotifyOne or NotifyLast (or a permit)
// that went to this handle is passed on to the next waiter or stored as the
// permit again; one from NotifyAll is dropped.
func (w *Notified) Cancel() {
	w.enter()
	w.n.withdraw(w)
	w.release()
}

func (w *Notified) enter() {
	if w.phase != phArmed {
		panic("notify: Notified used after Wait or Cancel, or not obtained from Notify.Notified")
	}
	w.phase = phBusy
}

func (w *Notified) release() {
	w.n, w.kind = nil, kindNone
	w.phase = phFree
	if w.pooled {
		handles.Put(w)
	}
}

// inBubble reports whether the caller, registering on n, runs in a
// testing/synctest bubble. Like a channel, a Notify first waited on outside
// any bubble belongs to no bubble: that first registration reads the clock
// once, and from then on the answer is "no" for one atomic load. A goroutine
// of a bubble waiting on such a Notify is not durably blocked, exactly as if
// it received from a channel made outside the bubble. A Notify first waited
// on in a bubble reads the clock on every registration, which only tests do.
//
// A wrong answer never puts a bubbled parker in the pool: the pool's New
// checks for itself, and only handles made outside any bubble are pooled.
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
