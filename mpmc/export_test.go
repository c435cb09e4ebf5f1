package mpmc

import "github.com/diatomic-go/diatomic/internal/mpmcq"

// SetSearchHook sets searchHook for a test and returns a func that removes
// it.
func SetSearchHook(f func(ending bool)) (restore func()) {
	searchHook = f
	return func() { searchHook = nil }
}

// Released returns how many values receivers have taken from the ring of
// r's channel: a value handed to a parked receiver never counts.
func Released[T any](r *Receiver[T]) uint64 { return r.c.ring.Released() }

// EnqueueQuietly puts v in the ring of s's channel and wakes nobody: the
// state of a send between its enqueue and its wake-up.
func EnqueueQuietly[T any](s *Sender[T], v T) {
	if s.c.ring.TryEnqueue(v) != mpmcq.OK {
		panic("EnqueueQuietly: the ring refused the value")
	}
}

// CloseRingQuietly sets the closed bit of the ring of s's channel and wakes
// nobody: the state of a close between its first step and its wake-ups.
func CloseRingQuietly[T any](s *Sender[T]) { s.c.ring.Close() }
