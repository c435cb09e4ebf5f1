package notify_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

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

	sum := 0
	for sum < 6 {
		mu.Lock()
		batch := queue
		queue = nil
		mu.Unlock()
		if len(batch) == 0 {
			if err := n.Wait(context.Background()); err != nil {
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
	)
	for range 3 {
		wg.Go(func() {
			h := n.Notified()   // register first,
			if stopped.Load() { // then check,
				h.Cancel()
				return
			}
			_ = h.Wait(context.Background()) // then wait
		})
	}
	stopped.Store(true)
	n.NotifyAll()
	wg.Wait()
	fmt.Println("all stopped")
	// Output: all stopped
}

// A handle chosen by NotifyOne that is cancelled passes the notification on.
func ExampleNotified_Cancel() {
	var n notify.Notify
	first := n.Notified()
	second := n.Notified()
	n.NotifyOne() // chooses first
	first.Cancel()
	fmt.Println(second.Wait(context.Background())) // second got it
	// Output: <nil>
}
