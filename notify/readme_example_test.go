package notify_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/diatomic-go/diatomic/notify"
)

// The snippet of notify in the README: the handle is taken before the
// goroutine that notifies starts, so its NotifyAll wakes the waiter whether
// it runs before Wait or after.
func Example_readme() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	shutdown := make(chan struct{})
	close(shutdown) // the event may well come before the wait

	var n notify.Notify
	h := n.Notified() // registered: the NotifyAll below wakes it, even if it runs first
	go func() { <-shutdown; n.NotifyAll() }()
	err := h.Wait(ctx)
	fmt.Println(err)
	// Output: <nil>
}

// The package doc's first snippet, in the runnable form it should take
// (handle(item) in place of "..."): a queue under a mutex, woken by
// NotifyOne. handle ends the consumer's context after the third item.
func Example_packageDoc() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var (
		mu    sync.Mutex
		queue []string
	)
	pop := func() (string, bool) {
		mu.Lock()
		defer mu.Unlock()
		if len(queue) == 0 {
			return "", false
		}
		item := queue[0]
		queue = queue[1:]
		return item, true
	}
	handled := 0
	handle := func(item string) {
		fmt.Println(item)
		if handled++; handled == 3 {
			cancel()
		}
	}

	var n notify.Notify // the zero value is ready to use

	go func() {
		for _, item := range []string{"a", "b", "c"} {
			// Producer:
			mu.Lock()
			queue = append(queue, item)
			mu.Unlock()
			n.NotifyOne()
		}
	}()

	consume := func() error {
		// Consumer:
		for {
			if item, ok := pop(); ok {
				handle(item)
				continue
			}
			if err := n.Wait(ctx); err != nil {
				return err
			}
		}
	}
	fmt.Println(consume())
	// Output:
	// a
	// b
	// c
	// context canceled
}

// The package doc's second snippet: Notified registers before the check, so
// a NotifyAll made at any time after it wakes the waiter.
func Example_packageDocNotified() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var n notify.Notify
	var closed atomic.Bool

	waiter := func() {
		h := n.Notified()
		if closed.Load() {
			h.Cancel()
			return
		}
		err := h.Wait(ctx) // a NotifyAll made after Notified wakes it
		if err != nil {
			fmt.Println("the NotifyAll was lost:", err)
		}
	}
	done := make(chan struct{})
	go func() { waiter(); close(done) }()
	closed.Store(true)
	n.NotifyAll()
	<-done // waiter returns by the time ctx ends
	fmt.Println("stopped")
	// Output: stopped
}

// The README's snippet of the select form, and the package doc's: a loop
// that waits for a notification, a ticker and ctx in one select. A handle
// that loses the select passes its notification on when it is cancelled, so
// the NotifyOne is never lost: here the second round receives it as the
// permit.
func Example_readmeSelect() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var n notify.Notify
	tick := make(chan time.Time, 1)
	tick <- time.Now() // the ticker has fired: the first round takes it
	flush := func() { fmt.Println("flush") }

	round := func() error {
		h := n.Notified()
		defer h.Cancel() // passes the notification on if the select takes another case
		select {
		case <-h.Ready():
			fmt.Println("notified")
		case <-tick:
			flush()
		case <-ctx.Done():
			return ctx.Err()
		}
		return nil
	}
	for range 2 {
		if err := round(); err != nil {
			fmt.Println(err)
		}
		n.NotifyOne() // after the first round: becomes the permit
	}
	// Output:
	// flush
	// notified
}
