package eventcount

import (
	"fmt"

	"github.com/diatomic-go/diatomic/internal/waitlist"
)

// Parked returns the number of waiters in the queue: parked in Commit, not
// yet dequeued by a notification.
func (e *EventCount) Parked() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.queue.Len()
}

// CheckInvariants reports the first broken invariant of the queue and the
// state word that can be checked from outside the protocol.
func (e *EventCount) CheckInvariants() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.state.Load()
	n := e.queue.Len()
	if queued := s&queuedBit != 0; queued != (n > 0) {
		return fmt.Errorf("queued bit %v with %d records queued", queued, n)
	}
	if err := waitlist.CheckList(&e.queue, func(w *waitlist.Waiter) error {
		if w.Kind != rsQueued {
			return fmt.Errorf("state %d in the queue", w.Kind)
		}
		return nil
	}); err != nil {
		return err
	}
	if c := int(s & countMask); c < n {
		return fmt.Errorf("count %d < %d parked", c, n)
	}
	return nil
}
