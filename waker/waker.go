package waker

// Waker is what a notifier calls to wake a waiting goroutine (or whatever a
// custom implementation stands for: an event loop's queue, a counter, ...).
//
// Wake must be safe to call from any goroutine, at any time, any number of
// times, and should not block: it is called by notifiers on their hot path.
//
// Implementations must be comparable, which in practice means a pointer type
// (use pointer receivers). The primitives of this package compare a waker
// with the one already registered so that re-registering the same waker costs
// no slot write; registering a waker whose dynamic type is not comparable
// panics.
type Waker interface {
	Wake()
}

// checkWaker panics with a message naming the mistake when w cannot be
// registered.
func checkWaker(w Waker) {
	if w == nil {
		panic("waker: Register called with a nil Waker")
	}
}
