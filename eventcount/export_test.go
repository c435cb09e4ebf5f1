package eventcount

import "fmt"

// Parked returns the number of waiters in the queue: parked in Commit, not
// yet dequeued by a notification.
func (e *EventCount) Parked() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for w := e.head; w != nil; w = w.next {
		n++
	}
	return n
}

// CheckInvariants reports the first broken invariant of the queue and the
// state word that can be checked from outside the protocol.
func (e *EventCount) CheckInvariants() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.state.Load()
	if queued := s&queuedBit != 0; queued != (e.head != nil) {
		return fmt.Errorf("queued bit %v with head %p", queued, e.head)
	}
	n := 0
	var prev *waiter
	for w := e.head; w != nil; prev, w = w, w.next {
		if w.prev != prev || w.state != rsQueued {
			return fmt.Errorf("record %d: prev %p (want %p), state %d", n, w.prev, prev, w.state)
		}
		n++
	}
	if e.tail != prev {
		return fmt.Errorf("tail %p, want %p", e.tail, prev)
	}
	if n != e.nqueued {
		return fmt.Errorf("nqueued %d, %d records in the queue", e.nqueued, n)
	}
	if c := int(s & countMask); c < n {
		return fmt.Errorf("count %d < %d parked", c, n)
	}
	return nil
}
