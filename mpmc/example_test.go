package mpmc_test

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/diatomic-go/diatomic/mpmc"
)

// A worker pool: three workers range over clones of one Receiver; closing
// the last Sender ends their loops once every job is taken, and each job is
// taken by exactly one of them.
func Example() {
	ctx := context.Background()
	tx, rx := mpmc.New[int](8)
	var mu sync.Mutex
	var done []int
	var wg sync.WaitGroup
	for range 3 {
		w := rx.Clone()
		wg.Go(func() {
			defer w.Close()
			for job := range w.All(ctx) {
				mu.Lock()
				done = append(done, job*job)
				mu.Unlock()
			}
		})
	}
	rx.Close() // the workers' clones keep the receiving end open
	for job := 1; job <= 6; job++ {
		tx.Send(ctx, job)
	}
	tx.Close()
	wg.Wait()
	slices.Sort(done)
	fmt.Println(done)
	// Output: [1 4 9 16 25 36]
}

func ExampleSender_TrySend() {
	tx, rx := mpmc.New[string](1)
	fmt.Println(tx.TrySend("a"))
	fmt.Println(tx.TrySend("b"))
	tx.Close()
	v, err := rx.TryRecv() // values sent before the close are still received
	fmt.Println(v, err)
	_, err = rx.TryRecv()
	fmt.Println(err)
	// Output:
	// <nil>
	// mpmc: channel full
	// a <nil>
	// mpmc: channel closed
}

// A receiver selects on Ready beside another channel, and drains with
// TryRecv after each wake-up.
func ExampleReceiver_Ready() {
	tx, rx := mpmc.New[int](4)
	quit := make(chan struct{})
	go func() {
		for i := 1; i <= 3; i++ {
			tx.TrySend(i)
		}
		tx.Close()
	}()
	sum := 0
	for {
		v, err := rx.TryRecv()
		if err == nil {
			sum += v
			continue
		}
		if err == mpmc.ErrClosed {
			break
		}
		select {
		case <-rx.Ready(): // a value, or the close: try again
		case <-quit:
			return
		}
	}
	fmt.Println(sum)
	// Output: 6
}

// A producer selects on Done while it prepares work: the channel closes when
// every Receiver handle is closed.
func ExampleSender_Done() {
	tx, rx := mpmc.New[int](4)
	rx.Close() // the last receiver hangs up
	select {
	case <-tx.Done():
		fmt.Println("nobody receives:", tx.TrySend(1))
	default:
		fmt.Println("open")
	}
	// Output: nobody receives: mpmc: channel closed
}
