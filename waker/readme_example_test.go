package waker_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/diatomic-go/diatomic/waker"
)

// The snippet of waker in the README: a producer stores a value and
// notifies, the consumer waits until the value is there.
func Example_readme() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	sink := waker.NewWakeSink()
	src := sink.Source() // a small value: copy it to every producer
	var box atomic.Uint64

	go func() { // a producer, in any goroutine
		box.Store(42)
		src.Wake() // one atomic load when nobody waits
	}()

	// The consumer, in one goroutine:
	v, err := waker.WaitUntil(ctx, sink, func() (uint64, bool) {
		v := box.Swap(0)
		return v, v != 0
	})
	fmt.Println(v, err)
	// Output: 42 <nil>
}

// The snippet of the package doc: the notifier makes the condition true and
// notifies; the waiter returns once the condition holds.
func Example_packageDoc() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var ready atomic.Bool

	sink := waker.NewWakeSink()
	src := sink.Source() // copy it to every notifier

	go func() {
		// Notifier, in any goroutine:
		ready.Store(true)
		src.Wake()
	}()

	// Waiter, in one goroutine:
	err := sink.Wait(ctx, ready.Load)
	fmt.Println(err)
	// Output: <nil>
}
