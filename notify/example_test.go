package notify_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/diatomic-go/diatomic/notify"
)

// A Notify as the wake-up of an unbounded queue: the producer notifies after
// each push, the consumer waits only when the queue is empty. The stored
// permit covers a push made between the consumer's check and its Wait.
func Example() {
	var (
		n     notify.Notify
		mu    sync.Mutex
		queue []int
	)
	go func() {
		for i := 1; i <= 3; i++ {
			mu.Lock()
			queue = append(queue, i)
			mu.Unlock()
			n.NotifyOne()
		}
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sum := 0
	for sum < 6 {
		mu.Lock()
		batch := queue
		queue = nil
		mu.Unlock()
		if len(batch) == 0 {
			if err := n.Wait(ctx); err != nil {
				fmt.Println(err)
				return
			}
			continue
		}
		for _, v := range batch {
			sum += v
		}
	}
	fmt.Println("sum", sum)
	// Output: sum 6
}

// Permits do not add up: two notifications with nobody waiting leave one.
func ExampleNotify_NotifyOne() {
	var n notify.Notify
	n.NotifyOne()
	n.NotifyOne()

	ctx, cancel := context.WithCancel(context.Background())
	cancel() // Wait then reports without blocking
	fmt.Println(n.Wait(ctx))
	fmt.Println(n.Wait(ctx))
	// Output:
	// <nil>
	// context canceled
}

// NotifyAll wakes every handle taken before it, even one whose Wait has not
// started yet, which is how a shutdown reaches goroutines that are between
// checking a flag and waiting.
func ExampleNotify_NotifyAll() {
	var (
		n       notify.Notify
		stopped atomic.Bool
		wg      sync.WaitGroup
		failed  atomic.Int32
	)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for range 3 {
		wg.Go(func() {
			h := n.Notified()   // register first,
			defer h.Cancel()    // (a no-op once Wait has returned)
			if stopped.Load() { // then check,
				return
			}
			if h.Wait(ctx) != nil { // then wait
				failed.Add(1)
			}
		})
	}
	stopped.Store(true)
	n.NotifyAll()
	wg.Wait()
	fmt.Println("all stopped, missed:", failed.Load())
	// Output: all stopped, missed: 0
}

// A handle chosen by NotifyOne that is cancelled passes the notification on.
func ExampleNotified_Cancel() {
	var n notify.Notify
	first := n.Notified()
	second := n.Notified()
	n.NotifyOne() // chooses first
	first.Cancel()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	fmt.Println(second.Wait(ctx)) // second got it
	second.Cancel()               // finished: does nothing
	// Output: <nil>
}

// TryWait takes the stored permit without waiting; it does not take a
// notification already delivered to a registered handle.
func ExampleNotify_TryWait() {
	var n notify.Notify
	fmt.Println(n.TryWait()) // nothing stored
	n.NotifyOne()
	fmt.Println(n.TryWait(), n.TryWait()) // one permit, taken once

	h := n.Notified()
	defer h.Cancel()
	n.NotifyOne()            // goes to h, not into a permit
	fmt.Println(n.TryWait()) // so there is nothing to take
	// Output:
	// false
	// true false
	// false
}
