package eventcount_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/diatomic-go/diatomic/eventcount"
)

// Workers wait for jobs counted in an atomic; the producer notifies one
// worker per job, then all of them to stop once the jobs run out.
func Example() {
	var ec eventcount.EventCount
	var jobs atomic.Int64
	var closed atomic.Bool
	var done atomic.Int64

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			for {
				took := false
				err := ec.Wait(ctx, func() bool {
					c := closed.Load() // before taking: no job is added after closing
					took = takeOne(&jobs)
					return took || c
				})
				if err != nil || !took {
					return
				}
				done.Add(1)
			}
		})
	}
	for range 10 {
		jobs.Add(1)
		ec.NotifyOne()
	}
	closed.Store(true)
	ec.NotifyAll()
	wg.Wait()
	fmt.Println("jobs done:", done.Load())
	// Output: jobs done: 10
}

// WaitUntil returns the value the poll function produced; a context bounds
// the wait.
func ExampleWaitUntil() {
	var ec eventcount.EventCount
	var mailbox atomic.Pointer[string]

	go func() {
		msg := "hello"
		mailbox.Store(&msg)
		ec.NotifyAll()
	}()
	bounded, cancelBounded := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancelBounded()
	msg, err := eventcount.WaitUntil(bounded, &ec, func() (string, bool) {
		if p := mailbox.Swap(nil); p != nil {
			return *p, true
		}
		return "", false
	})
	fmt.Println(msg, err)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, err = eventcount.WaitUntil(ctx, &ec, func() (string, bool) { return "", false })
	fmt.Println(err, ec.Waiters())
	// Output:
	// hello <nil>
	// context deadline exceeded 0
}

// The three steps of a wait, for code that must do more between them than
// Wait allows.
func ExampleEventCount_Prepare() {
	var ec eventcount.EventCount
	var ready atomic.Bool

	go func() {
		ready.Store(true)
		ec.NotifyOne()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for !ready.Load() {
		t := ec.Prepare()
		if ready.Load() {
			ec.Cancel(t)
			break
		}
		if err := ec.Commit(ctx, t); err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Println("ready")
	// Output: ready
}

// Ready arms a prepared Ticket for a select statement beside other cases;
// the Ticket is ended by Cancel whichever case the select took, and a
// NotifyOne that chose it while the select took another case goes on to the
// next waiter.
func ExampleEventCount_Ready() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var ec eventcount.EventCount
	var flag atomic.Bool
	tick := make(chan struct{}, 1)

	go func() {
		flag.Store(true)
		ec.NotifyOne()
	}()
	for {
		t := ec.Prepare()
		if flag.Load() {
			ec.Cancel(t)
			break
		}
		select {
		case <-ec.Ready(&t): // notified: check the flag again
		case <-tick:
		case <-ctx.Done():
			ec.Cancel(t)
			fmt.Println("the NotifyOne was lost:", ctx.Err())
			return
		}
		ec.Cancel(t) // ends t either way
	}
	fmt.Println("flag set")
	// Output: flag set
}

// A queue whose send hands its value straight to a parked receiver when
// the queue is empty, as a chan send does to a blocked receiver: the woken
// receiver then reads nothing of the queue to get it. When NotifyHand finds
// nobody parked in CommitHand, the send stores the value and notifies, and
// a receiver takes it from the queue.
func ExampleEventCount_NotifyHand() {
	var ec eventcount.EventCount
	var mu sync.Mutex
	var queue []string

	send := func(v string) {
		mu.Lock()
		empty := len(queue) == 0 // else v would jump the values queued
		mu.Unlock()
		if empty && ec.NotifyHand(func(hand any) { *hand.(*string) = v }) {
			return
		}
		mu.Lock()
		queue = append(queue, v)
		mu.Unlock()
		ec.NotifyOne()
	}
	recv := func(ctx context.Context) (string, error) {
		var hand string
		for {
			t := ec.Prepare()
			mu.Lock()
			if len(queue) > 0 {
				v := queue[0]
				queue = queue[1:]
				mu.Unlock()
				ec.Cancel(t)
				return v, nil
			}
			mu.Unlock()
			handed, err := ec.CommitHand(ctx, t, &hand)
			if handed {
				return hand, nil // even if ctx ended meanwhile
			}
			if err != nil {
				return "", err
			}
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got := make(chan string)
	go func() {
		for range 3 {
			v, err := recv(ctx)
			if err != nil {
				v = err.Error()
			}
			got <- v
		}
	}()
	for _, v := range []string{"a", "b", "c"} {
		send(v)
		fmt.Println(<-got)
	}
	// Output:
	// a
	// b
	// c
}
