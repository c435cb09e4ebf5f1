package waker

import "sync/atomic"

// exclusive detects two goroutines inside a single-registrant method at once.
// It costs two atomic operations, so it guards only the paths that write a
// waker slot, and every path when the race detector is on.
type exclusive struct{ busy atomic.Uint32 }

func (e *exclusive) enter(what string) {
	if !e.busy.CompareAndSwap(0, 1) {
		panic("waker: concurrent " + what + ": only one goroutine at a time may register")
	}
}

func (e *exclusive) exit() { e.busy.Store(0) }
