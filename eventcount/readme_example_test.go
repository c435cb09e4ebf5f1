package eventcount_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/diatomic-go/diatomic/eventcount"
)

// The snippet of eventcount in the README: waiters wait for a flag that the
// notifier sets.
func Example_readme() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	var ec eventcount.EventCount
	var ready atomic.Bool

	go func() { // the notifier
		ready.Store(true)
		ec.NotifyAll()
	}()

	// Any number of waiters, in any goroutines:
	err := ec.Wait(ctx, func() bool { return ready.Load() })
	fmt.Println(err)
	// Output: <nil>
}

// The first snippet of the package doc: a consumer takes one item counted
// by an atomic.
func Example_packageDoc() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	var ec eventcount.EventCount
	var items atomic.Int64

	go func() {
		// Producer, in any goroutine:
		items.Add(1)
		ec.NotifyOne()
	}()

	// Consumer, in any goroutine:
	err := ec.Wait(ctx, func() bool {
		for n := items.Load(); n > 0; n = items.Load() {
			if items.CompareAndSwap(n, n-1) {
				return true
			}
		}
		return false
	})
	fmt.Println(err, items.Load())
	// Output: <nil> 0
}

// The package doc's loop of Prepare, check, Commit or Cancel.
func Example_packageDocSteps() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var ec eventcount.EventCount
	var ready atomic.Bool
	cond := ready.Load

	wait := func() error {
		for !cond() {
			t := ec.Prepare()
			if cond() {
				ec.Cancel(t)
				break
			}
			if err := ec.Commit(ctx, t); err != nil {
				return err
			}
		}
		return nil
	}
	go func() {
		ready.Store(true)
		ec.NotifyAll()
	}()
	fmt.Println(wait())
	// Output: <nil>
}

// The package doc's migration from sync.Cond, before: a queue under a
// mutex, and a wait that cannot be cancelled.
func Example_packageDocCondBefore() {
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	var queue []string
	consumed := make(chan string, 1)

	go func() {
		mu.Lock()
		for len(queue) == 0 {
			cond.Wait()
		}
		item := queue[0]
		queue = queue[1:]
		mu.Unlock()
		consumed <- item
	}()

	item := "job"
	// Producer:
	mu.Lock()
	queue = append(queue, item)
	mu.Unlock()
	cond.Signal()

	select {
	case item := <-consumed:
		fmt.Println("consumed", item)
	case <-time.After(time.Minute):
		fmt.Println("the consumer was not woken")
	}
	// Output: consumed job
}

// lockedQueue is the lock-free queue of the package doc's migration, here
// a slice under a mutex: the predicate may take a lock.
type lockedQueue struct {
	mu    sync.Mutex
	items []string
}

func (q *lockedQueue) Enqueue(item string) {
	q.mu.Lock()
	q.items = append(q.items, item)
	q.mu.Unlock()
}

func (q *lockedQueue) TryDequeue() (string, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) == 0 {
		return "", false
	}
	item := q.items[0]
	q.items = q.items[1:]
	return item, true
}

// The package doc's migration from sync.Cond, after: the wait takes a
// context, and no mutex is needed around it.
func Example_packageDocCondAfter() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var ec eventcount.EventCount
	var queue lockedQueue

	consume := func() error {
		item, err := eventcount.WaitUntil(ctx, &ec, queue.TryDequeue)
		if err != nil {
			return err // ctx ended; nothing was taken, nothing is left behind
		}
		fmt.Println("consumed", item)
		return nil
	}
	done := make(chan error, 1)
	go func() { done <- consume() }()

	item := "job"
	// Producer:
	queue.Enqueue(item)
	ec.NotifyOne()

	fmt.Println(<-done) // consume returns by the time ctx ends
	// Output:
	// consumed job
	// <nil>
}
