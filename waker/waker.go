package waker

import (
	"context"
	"reflect"
)

// Waker is what a notifier calls to wake a waiting goroutine (or whatever a
// custom implementation stands for: an event loop's queue, a counter, ...).
//
// Wake must be safe to call from any goroutine, at any time, any number of
// times, and should not block: it is called by notifiers on their hot path.
//
// Implementations must be comparable, which in practice means a pointer type
// (use pointer receivers). The primitives of this package compare a waker
// with the one already registered so that re-registering the same waker costs
// no slot write; registering a waker that is not comparable panics, at its
// first registration, and leaves the primitive as it was.
type Waker interface {
	Wake()
}

// checkWaker panics with a message naming the mistake when w is nil. It is
// the check of every Register; comparability is checked by checkNewWaker.
func checkWaker(w Waker) {
	if w == nil {
		panic("waker: Register called with a nil Waker")
	}
}

// checkNewWaker panics when w is not comparable. It is called only where a
// waker that differs from the registered or cached one is about to be stored:
// comparing w with a waker that passed this check never panics (see
// reflect.Value.Comparable), so re-registering a stored waker needs no check.
func checkNewWaker(w Waker) {
	if !comparableWaker(w) {
		panic("waker: Register called with a Waker of non-comparable type " +
			reflect.TypeOf(w).String() + " (use a pointer receiver)")
	}
}

// checkContext panics when the blocking call what is given a nil ctx, before
// the call changes any state.
func checkContext(ctx context.Context, what string) {
	if ctx == nil {
		panic("waker: " + what + " called with a nil Context")
	}
}

// comparableWaker reports whether comparing w with == can never panic. A
// pointer, the usual Waker, is answered from its type alone; other kinds are
// checked value by value (an interface field may hold a slice).
func comparableWaker(w Waker) bool {
	if reflect.TypeOf(w).Kind() == reflect.Pointer {
		return true
	}
	return reflect.ValueOf(w).Comparable()
}
