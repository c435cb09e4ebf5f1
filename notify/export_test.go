package notify

import (
	"errors"

	"github.com/diatomic-go/diatomic/internal/waitlist"
)

// Registered returns the number of handles in n's list.
func Registered(n *Notify) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.list.Len()
}

// Cached returns the number of records n keeps for reuse.
func Cached(n *Notify) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.records.CountLocked()
}

// HasPermit reports whether n stores a permit.
func HasPermit(n *Notify) bool { return n.state.Load() == stNotified }

// Chosen reports whether h has been notified (or took the permit) and not
// yet finished.
func Chosen(h *Notified) bool {
	h.n.mu.Lock()
	defer h.n.mu.Unlock()
	return h.w.Kind != kindNone
}

// Woken reports whether h's parker holds the wake of the notification that
// chose it (or of the permit it took), leaving the wake in place. Only h's
// owner may call it.
func Woken(h *Notified) bool {
	if h.w.Token.TryPark() {
		h.w.Token.Wake()
		return true
	}
	return false
}

// CheckInvariants reports the first broken Notify invariant, or nil.
func CheckInvariants(n *Notify) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if st := n.state.Load(); (st == stWaiting) != (n.list.Len() > 0) {
		return errors.New("state says waiting iff the list is non-empty: broken")
	}
	return waitlist.CheckList(&n.list, func(w *waitlist.Waiter) error {
		if w.Kind != kindNone {
			return errors.New("a listed record is notified")
		}
		return nil
	})
}
