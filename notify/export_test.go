package notify

// Registered returns the number of handles in n's list.
func Registered(n *Notify) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	k := 0
	for w := n.head; w != nil; w = w.next {
		k++
	}
	return k
}

// HasPermit reports whether n stores a permit.
func HasPermit(n *Notify) bool { return n.state.Load() == stNotified }

// Chosen reports whether h has been notified (or took the permit) and not
// yet finished.
func Chosen(h *Notified) bool {
	h.n.mu.Lock()
	defer h.n.mu.Unlock()
	return h.w.kind != kindNone
}

// Woken reports whether h's parker holds the wake of the notification that
// chose it (or of the permit it took), leaving the wake in place. Only h's
// owner may call it.
func Woken(h *Notified) bool {
	if h.w.parker.TryPark() {
		h.w.parker.Wake()
		return true
	}
	return false
}

// CheckInvariants reports a broken Notify invariant, or "" if none.
func CheckInvariants(n *Notify) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	st := n.state.Load()
	if (st == stWaiting) != (n.head != nil) {
		return "state says waiting iff the list is non-empty: broken"
	}
	var prev *waiter
	for w := n.head; w != nil; w = w.next {
		if w.prev != prev || w.kind != kindNone {
			return "a listed record is mislinked or notified"
		}
		prev = w
	}
	if n.tail != prev {
		return "tail is not the last handle"
	}
	return ""
}
